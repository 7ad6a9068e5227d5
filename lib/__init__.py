"""Azure usage and charges dashboard: all logic lives in this package."""
