"""Pages of the metrics area (HTMX): KPIs, funnels, attribution, imports, data health."""
