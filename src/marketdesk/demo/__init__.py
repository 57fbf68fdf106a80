"""The demo company 数研科技 DataSense: deterministic data for every MarketDesk feature."""
