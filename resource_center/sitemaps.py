"""The sitemap of the public catalogue (being built)."""

sitemaps: dict = {}
