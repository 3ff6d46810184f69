"""The demo workspace: about 60 partners of every category and tier, 26 weeks of metrics with
trends, ratings, benchmarks, two digest schedules and an open drill, from a fixed seed.

Partners and metrics go in through the registry's import use cases (one transaction each, the
same checks as `partnerbot import`); ratings, benchmarks, schedules and the drill are typed as
slash commands through the console itself, so every row is made by the app's own rules.
"""

from __future__ import annotations

import csv
import io
import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING

from bot.registry.imports import import_metrics, import_partners
from console.standin import TEAM

if TYPE_CHECKING:
    from console.session import Session

SEED = 20261130
# Monday 30 November 2026, 09:30 in Asia/Shanghai: week 48 is the latest complete ISO week.
START = datetime(2026, 11, 30, 1, 30, tzinfo=UTC)
WEEKS = 26
OWNERS = ["U0MEI", "U0TOM", "U0LIN", "U0RAJ", "U0ANA"]
BENCHMARKS = {
    "KOL": 2.5,
    "KOC": 2.0,
    "MCN": 2.2,
    "brand": 1.8,
    "channel": 2.4,
    "supplier": 1.5,
    "media": 1.6,
    "other": 1.5,
}
# name, category, tier; the roles below pick partners out of this list by name.
ROSTER = [
    ("李佳琦直播间", "KOL", "strategic"),
    ("Acme Media", "media", "core"),
    ("Starlight MCN", "MCN", "core"),
    ("薇娅工作室", "KOL", "core"),
    ("Bloom Beauty", "brand", "strategic"),
    ("小红书种草联盟", "KOC", "core"),
    ("Northwind Retail", "channel", "strategic"),
    ("天猫旗舰店联营", "channel", "core"),
    ("Luna Skincare", "brand", "core"),
    ("抖音星图达人", "KOL", "standard"),
    ("Orbit Supplies", "supplier", "core"),
    ("顺丰供应链", "supplier", "strategic"),
    ("Pixel Studio", "media", "standard"),
    ("美食探店小分队", "KOC", "standard"),
    ("Harbor MCN", "MCN", "standard"),
    ("无忧传媒", "MCN", "core"),
    ("Maple Coffee", "brand", "standard"),
    ("京东自营渠道", "channel", "core"),
    ("Sunrise Travel", "other", "standard"),
    ("B站UP主联盟", "KOL", "standard"),
    ("Urban Threads", "brand", "trial"),
    ("快手家居号", "KOC", "trial"),
    ("Echo Podcast Network", "media", "standard"),
    ("新华社新媒体", "media", "core"),
    ("Velvet Box", "supplier", "standard"),
    ("蜜雪冰城联名", "brand", "core"),
    ("Peak Fitness", "KOL", "standard"),
    ("宝妈社群", "KOC", "standard"),
    ("Coral Logistics", "supplier", "trial"),
    ("谦寻文化", "MCN", "strategic"),
    ("Nimbus Electronics", "channel", "standard"),
    ("知乎好物推荐", "KOC", "trial"),
    ("Golden Gate Foods", "brand", "standard"),
    ("罗永浩交个朋友", "KOL", "core"),
    ("Atlas Outdoor", "channel", "trial"),
    ("湖南卫视广告部", "media", "strategic"),
    ("Kite Kids", "brand", "trial"),
    ("拼多多百亿补贴", "channel", "standard"),
    ("Silverline Print", "supplier", "standard"),
    ("大学生测评团", "KOC", "standard"),
    ("Jade Tea House", "other", "trial"),
    ("微博热搜合作", "media", "standard"),
    ("Comet Gaming", "KOL", "trial"),
    ("遥望网络", "MCN", "standard"),
    ("Riverbend Market", "channel", "standard"),
    ("盒马鲜生联营", "channel", "trial"),
    ("Hello Pets", "KOC", "standard"),
    ("完美日记联名", "brand", "standard"),
    ("Stellar Events", "other", "standard"),
    ("菜鸟驿站", "supplier", "core"),
    ("Quartz Audio", "brand", "trial"),
    ("程十安", "KOL", "standard"),
    ("Bamboo Books", "other", "trial"),
    ("得物潮流社区", "KOC", "core"),
    ("Ironclad Tools", "supplier", "trial"),
    ("东方甄选", "KOL", "strategic"),
    ("Aurora Labs", "other", "standard"),
    ("喜马拉雅播客", "media", "trial"),
    ("Cobalt Prospects", "MCN", "trial"),
    ("Retired Ridge", "channel", "standard"),
]
# Who trips which health rule (the last 26 weeks are written to make it so).
UTILISATION = {"Pixel Studio", "美食探店小分队", "Velvet Box"}
SENTIMENT = {"Starlight MCN", "Maple Coffee"}
ROI = {"Harbor MCN", "Kite Kids", "微博热搜合作"}
NO_DATA = {"Aurora Labs", "Bamboo Books"}
DOMINANT = "李佳琦直播间"  # carries about half the pool's GMV
NO_BACKUP = {"Acme Media", "Orbit Supplies", "蜜雪冰城联名", "得物潮流社区"}
STATUS = {
    "Urban Threads": "paused",
    "Comet Gaming": "paused",
    "Cobalt Prospects": "prospect",
    "Jade Tea House": "prospect",
    "Retired Ridge": "archived",
    "Atlas Outdoor": "dropped",
}
DRILL = ("Starlight MCN", "sentiment crash after a livestream incident")


@dataclass
class Partner:
    name: str
    category: str
    tier: str
    owner: str
    status: str
    backups: list[str]
    cases: int


def partners(rng: random.Random) -> list[Partner]:
    """The roster with owners, statuses, backups (same category, for strategic and core
    partners except those left without on purpose) and verified cases."""
    out: list[Partner] = []
    for index, (name, category, tier) in enumerate(ROSTER):
        peers = [n for n, c, _ in ROSTER if c == category and n != name and n not in STATUS]
        backups: list[str] = []
        if tier in ("strategic", "core") and name not in NO_BACKUP:
            backups = rng.sample(peers, k=min(2, len(peers)))
        status = STATUS.get(name, "active")
        out.append(
            Partner(name, category, tier, OWNERS[index % 5], status, backups, rng.randint(0, 8))
        )
    return out


def partners_csv(rows: list[Partner]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["name", "category", "tier", "status", "owner", "backups", "success_cases"])
    for p in rows:
        writer.writerow(
            [p.name, p.category, p.tier, p.status, p.owner, ", ".join(p.backups), p.cases]
        )
    return buffer.getvalue()


def weeks(end: date) -> list[str]:
    """The ISO weeks of the last WEEKS weeks up to the one holding end, oldest first."""
    periods = []
    for back in range(WEEKS - 1, -1, -1):
        year, week, _ = (end - timedelta(weeks=back)).isocalendar()
        periods.append(f"{year}-W{week:02d}")
    return periods


def metrics_csv(rng: random.Random, rows: list[Partner]) -> str:
    """26 weeks a partner: utilisation, ROI around its category's benchmark, sentiment, GMV
    by tier with a trend, traffic from GMV and order value; the rule trippers' last weeks bent."""
    scale = {"strategic": 400_000, "core": 150_000, "standard": 50_000, "trial": 12_000}
    periods = weeks(START.date() - timedelta(days=7))
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["name", "period", "rue", "roi", "sentiment", "gmv", "traffic", "aov"])
    for p in rows:
        if p.name in NO_DATA or p.status in ("prospect", "archived"):
            continue
        gmv = scale[p.tier] * rng.uniform(0.6, 1.4) * (12 if p.name == DOMINANT else 1)
        trend = rng.uniform(-0.012, 0.025)
        rue, sentiment = rng.uniform(55, 85), rng.uniform(62, 88)
        roi = BENCHMARKS[p.category] * rng.uniform(0.95, 1.6)
        aov = rng.uniform(80, 450)
        for index, period in enumerate(periods):
            late = index >= WEEKS - 10  # the last ten weeks: October and November
            week_rue = rue + rng.uniform(-6, 6)
            week_roi = roi * rng.uniform(0.9, 1.1)
            week_sentiment = sentiment + rng.uniform(-3, 3)
            if p.name in UTILISATION and index >= WEEKS - 2:
                week_rue = rng.uniform(22, 36)
            if p.name in ROI and late:
                week_roi = BENCHMARKS[p.category] * rng.uniform(0.4, 0.6)
            if p.name in SENTIMENT and index == WEEKS - 1:
                week_sentiment = sentiment * 0.55
            week_gmv = gmv * (1 + trend) ** index * rng.uniform(0.9, 1.1)
            writer.writerow(
                [
                    p.name,
                    period,
                    f"{min(week_rue, 99):.1f}",
                    f"{week_roi:.2f}",
                    f"{min(week_sentiment, 99):.1f}",
                    f"{week_gmv:.0f}",
                    f"{week_gmv / aov:.0f}",
                    f"{aov:.2f}",
                ]
            )
    return buffer.getvalue()


def ratings(rng: random.Random, rows: list[Partner]) -> list[str]:
    """`/score` lines rating most active partners on the six dimensions."""
    lines = []
    for p in rows:
        if p.status != "active" or p.name in NO_DATA or rng.random() < 0.2:
            continue
        base = rng.uniform(45, 85)
        dims = {d: round(min(100, max(0, base + rng.uniform(-15, 15)))) for d in _DIMENSIONS}
        lines.append(f'/score "{p.name}" ' + " ".join(f"{k}={v}" for k, v in dims.items()))
    return lines


_DIMENSIONS = ("brand", "users", "channel", "audience", "traffic", "tone")


async def fill(session: Session) -> None:
    """Fill the session's fresh database with the demo workspace."""
    rng = random.Random(SEED)
    rows = partners(rng)
    store, now = session.bot.services.store, session.clock.now()
    zone = session.bot.services.settings.zone
    await import_partners(store, now, TEAM, partners_csv(rows))
    await import_metrics(
        store, now, TEAM, metrics_csv(rng, rows), today=now.astimezone(zone).date()
    )
    typed = [f"/health benchmark category={c} roi={v}" for c, v in BENCHMARKS.items()]
    typed += ratings(rng, rows)
    typed += [
        "/digest schedule #partner-digest weekdays 09:00",
        "/digest schedule #ops weekly mon 10:00 scope=category:KOL",
    ]
    typing = session.user
    session.user = "U0MEI"
    for line in typed:
        await session.handle(line)
    session.user = next(p.owner for p in rows if p.name == DRILL[0])
    await session.handle(f'/failover "{DRILL[0]}" {DRILL[1]}')
    session.user = typing
