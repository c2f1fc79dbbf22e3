"""subscription filters, destinations, account policies (delivery): written by its own helper (logs-contract)."""


class SubscriptionOperations:
    pass
