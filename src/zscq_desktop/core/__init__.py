"""The domain core: submission model, rules, helpers. No Qt import anywhere below this package."""
