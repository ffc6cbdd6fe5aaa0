"""The nbgrader 0.9 exchange classes to name in ``ExchangeFactory`` (see ``EXCHANGE_FACTORY_SETTINGS``)."""

from .factory import EXCHANGE_FACTORY_SETTINGS
from .nbbase import HubExchange
from .nbteacher import (
    HubExchangeFetchAssignment,
    HubExchangeFetchFeedback,
    HubExchangeList,
    HubExchangeSubmit,
)
from .nbtrainer import HubExchangeCollect, HubExchangeReleaseAssignment, HubExchangeReleaseFeedback

__all__ = [
    "EXCHANGE_FACTORY_SETTINGS",
    "HubExchange",
    "HubExchangeCollect",
    "HubExchangeFetchAssignment",
    "HubExchangeFetchFeedback",
    "HubExchangeList",
    "HubExchangeReleaseAssignment",
    "HubExchangeReleaseFeedback",
    "HubExchangeSubmit",
]
