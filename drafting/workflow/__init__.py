"""Where the two pipelines meet: a feedback run (and its ledger) as the facts of the next summary."""
