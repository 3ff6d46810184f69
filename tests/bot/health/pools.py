"""A generated pool for comparing the summary path with the full computation: random but
seeded, with every status, tier, rule outcome and kind of period, values on the rules'
boundaries, data older than the rules look back and periods ahead of today."""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta

from bot.access import Actor
from bot.health.service import set_benchmark, set_thresholds
from bot.metrics import week_of
from bot.ports import Store
from bot.registry.imports import import_metrics, import_partners
from bot.registry.rules import Category, Status, Tier

TEAM = "T1"
ADMIN = Actor("UADMIN", is_admin=True)

RUE = (39.9, 40.0, 40.1, 12.0, 35.5, 55.0, 80.25)
ROI = (2.1, 2.0999, 2.4, 1.1, 3.3, 1.75, 2.8)  # 2.1 = 0.7 x 3.0, the KOL floor
SENTIMENT = (70.0, 49.0, 49.1, 80.0, 0.0, 55.5, 90.0)  # 70 -> 49 is exactly 30% down


def _label(kind: str, day: date) -> str:
    if kind == "week":
        return week_of(day).label
    if kind == "month":
        return f"{day:%Y-%m}"
    return day.isoformat()


def _rows(rng: random.Random, name: str, today: date) -> list[str]:
    """One partner's metrics CSV rows."""
    rows: dict[str, dict[str, str]] = {}

    def put(kind: str, day: date, metric: str, value: float) -> None:
        rows.setdefault(_label(kind, day), {})[metric] = repr(value)

    style = rng.randrange(6)  # how the partner reports, so every rule meets each shape
    weeks = rng.randint(0, 30)
    skip = rng.random() < 0.25  # gaps between weeks
    for back in range(-2, weeks):  # two weeks ahead of today too
        day = today - timedelta(weeks=back)
        if skip and rng.random() < 0.4:
            continue
        if style != 1:
            put("week", day, "rue", rng.choice(RUE))
        if style in (0, 2, 5):  # 5: always weak, so the rule fires over any number of months
            put("week", day, "roi", rng.choice(ROI if style != 5 else (1.1, 2.0999, 1.75)))
        if style in (0, 3, 5):
            put("week", day, "sentiment", rng.choice(SENTIMENT))
        put("week", day, "gmv", float(rng.randrange(0, 50_000, 250)))
        put("week", day, "traffic", float(rng.randrange(0, 9_000)))
    if style in (1, 4):  # monthly ROI and sentiment
        for back in range(rng.randint(0, 8)):
            month = (today.replace(day=1) - timedelta(days=31 * back)).replace(day=1)
            put("month", month, "roi", rng.choice(ROI))
            put("month", month, "sentiment", rng.choice(SENTIMENT))
    if style in (2, 4, 5):  # days: GMV in weeks with and without a weekly value, ROI too
        for back in range(rng.randint(0, 40)):
            day = today - timedelta(days=back)
            metric = rng.choice(("gmv", "traffic", "roi", "sentiment"))
            values = {"gmv": (1250.0, 0.0, 700.0), "traffic": (15.0, 300.0), "roi": ROI}
            put("day", day, metric, rng.choice(values.get(metric, SENTIMENT)))
    metrics = ("rue", "roi", "sentiment", "gmv", "traffic")
    return [
        ",".join([name, label, *(values.get(m, "") for m in metrics)])
        for label, values in rows.items()
    ]


async def generate_pool(
    store: Store, at: datetime, seed: int, size: int, thresholds: dict[str, float]
) -> None:
    """`size` partners with metrics recorded through import-metrics, then given their
    statuses (so archived and dropped partners have metrics too)."""
    rng = random.Random(seed)
    today = at.date()
    names = [f"Partner {i:03d}" for i in range(size)]
    lines = ["name,category,tier,status,owner,backups"]
    for i, name in enumerate(names):
        backups = rng.sample(names[:i] or names[:1], k=min(i, rng.choice((0, 0, 1, 2))))
        tier = rng.choice(list(Tier))
        category = rng.choice(list(Category))
        lines.append(f'{name},{category.value},{tier.value},active,U0OWNER,"{", ".join(backups)}"')
    await import_partners(store, at, TEAM, "\n".join(lines) + "\n")
    csv = ["name,period,rue,roi,sentiment,gmv,traffic"]
    for name in names:
        csv += _rows(rng, name, today)
    await import_metrics(store, at, TEAM, "\n".join(csv) + "\n", today=today)
    statuses = [Status.ACTIVE] * 6 + [Status.PAUSED, Status.PROSPECT, Status.DROPPED]
    statuses.append(Status.ARCHIVED)
    update = ["name,status"] + [f"{name},{rng.choice(statuses).value}" for name in names]
    await import_partners(store, at, TEAM, "\n".join(update) + "\n")
    for category, roi in ((Category.KOL, 3.0), (Category.MCN, 2.5), (Category.BRAND, 1.5)):
        await set_benchmark(store, at, TEAM, ADMIN, category, roi)
    if thresholds:
        await set_thresholds(store, at, TEAM, ADMIN, thresholds)
