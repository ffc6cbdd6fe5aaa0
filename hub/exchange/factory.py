"""Which nbgrader exchange classes to use: plain data, importable without nbgrader (for config writers)."""

_MODULE = "hub.exchange.nbexchange"

#: ``{"ExchangeFactory.<trait>": "<class path>"}`` for an nbgrader config (teachers' servers and courses)
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
