"""Every slash command, action_id and callback_id the app answers, named `<feature>.<verb>`."""

from __future__ import annotations

from enum import StrEnum


class PartnerAction(StrEnum):
    LIST_PAGE = "partner.list_page"
    HISTORY_PAGE = "partner.history_page"
    EDIT = "partner.edit"
    HISTORY = "partner.history"
    UNDO = "partner.undo"


class PartnerView(StrEnum):
    ADD_SUBMIT = "partner.add_submit"
    EDIT_SUBMIT = "partner.edit_submit"


class HealthAction(StrEnum):
    PORTFOLIO_PAGE = "health.portfolio_page"


class AlertsAction(StrEnum):
    HEALTH = "alerts.health"


class DigestAction(StrEnum):
    DETAILS = "digest.details"


class FailoverAction(StrEnum):
    STEP_DONE = "failover.step_done"
    STEP_SKIP = "failover.step_skip"
    STEP_ASSIGN = "failover.step_assign"
    START = "failover.start"
    GMV_COMPUTE = "failover.gmv_compute"
    GMV_ENTER = "failover.gmv_enter"
    REOPEN = "failover.reopen"
    ENGAGE = "failover.engage"
    TICK_MEASURE = "failover.tick_measure"
    RECORD_SENDING = "failover.record_sending"
    RANK_AGAIN = "failover.rank_again"


class FailoverView(StrEnum):
    SKIP_SUBMIT = "failover.skip_submit"
    GMV_SUBMIT = "failover.gmv_submit"
    MEASURE_SUBMIT = "failover.measure_submit"
    SENDING_SUBMIT = "failover.sending_submit"


class ScoreAction(StrEnum):
    RATE = "score.rate"
    CHART = "score.chart"
    TOP_PAGE = "score.top_page"
    RETIRE = "score.retire"
    REVIEW_PAGE = "score.review_page"


class ScoreView(StrEnum):
    RATE_SUBMIT = "score.rate_submit"


class HomeAction(StrEnum):
    ADD_PARTNER = "home.add_partner"
    RECORD_METRICS = "home.record_metrics"
    PAUSE_DIGEST = "home.pause_digest"
    RESUME_DIGEST = "home.resume_digest"
    PREVIEW_DIGEST = "home.preview_digest"


class HomeView(StrEnum):
    METRICS_SUBMIT = "home.metrics_submit"
