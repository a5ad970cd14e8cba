"""Domain-agnostic toolbox: database, transactions, errors, clock, i18n."""
