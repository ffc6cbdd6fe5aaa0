"""The nbgrader 0.9 exchange classes to name in ``ExchangeFactory`` (see ``EXCHANGE_FACTORY_SETTINGS``)."""

from .nbbase import HubExchange
from .nbteacher import (
    HubExchangeFetchAssignment,
    HubExchangeFetchFeedback,
    HubExchangeList,
    HubExchangeSubmit,
)
from .nbtrainer import HubExchangeCollect, HubExchangeReleaseAssignment, HubExchangeReleaseFeedback

_MODULE = __name__

#: ``{"ExchangeFactory.<trait>": "<class path>"}`` for nbgrader_config.py (teachers' and course configs)
EXCHANGE_FACTORY_SETTINGS = {
    "ExchangeFactory.exchange": f"{_MODULE}.HubExchange",
    "ExchangeFactory.fetch_assignment": f"{_MODULE}.HubExchangeFetchAssignment",
    "ExchangeFactory.fetch_feedback": f"{_MODULE}.HubExchangeFetchFeedback",
    "ExchangeFactory.release_assignment": f"{_MODULE}.HubExchangeReleaseAssignment",
    "ExchangeFactory.release_feedback": f"{_MODULE}.HubExchangeReleaseFeedback",
    "ExchangeFactory.list": f"{_MODULE}.HubExchangeList",
    "ExchangeFactory.submit": f"{_MODULE}.HubExchangeSubmit",
    "ExchangeFactory.collect": f"{_MODULE}.HubExchangeCollect",
}

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
