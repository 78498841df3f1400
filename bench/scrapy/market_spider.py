"""Scrapy's side of bench/crawl_vs_scrapy.sh: crawls the static sample marketplace the way
pharmwatch does (same start URLs, every <a href> followed within the shop, robots.txt obeyed)
and extracts title and price from product pages with CSS selectors.

Run: scrapy runspider market_spider.py -a start_urls=FILE -O items.jsonl
Settings (concurrency 64 / 16 per host, no delay, no autothrottle, no HTTP cache) are in
custom_settings so the command line cannot drift from what the benchmark claims.
"""

from urllib.parse import urlsplit

import scrapy


class MarketSpider(scrapy.Spider):
    name = "market"
    custom_settings = {
        "ROBOTSTXT_OBEY": True,
        "CONCURRENT_REQUESTS": 64,
        "CONCURRENT_REQUESTS_PER_DOMAIN": 16,
        "CONCURRENT_REQUESTS_PER_IP": 0,
        "DOWNLOAD_DELAY": 0,
        "RANDOMIZE_DOWNLOAD_DELAY": False,
        "AUTOTHROTTLE_ENABLED": False,
        "HTTPCACHE_ENABLED": False,
        "COOKIES_ENABLED": False,
        "TELNETCONSOLE_ENABLED": False,
        "RETRY_ENABLED": False,
        "LOG_LEVEL": "INFO",
        "USER_AGENT": "scrapy-bench (+https://scrapy.org)",
        "FEED_EXPORT_ENCODING": "utf-8",
    }

    def __init__(self, start_urls=None, **kwargs):
        super().__init__(**kwargs)
        with open(start_urls, encoding="utf-8") as f:
            self.start_urls = [line.strip() for line in f if line.strip()]
        # Each shop is its own origin (address and port): links are followed within it.
        self.origins = {urlsplit(u).netloc for u in self.start_urls}

    def parse(self, response):
        title = response.css("h1.listing-title::text").get()
        if title is not None:
            yield {
                "url": response.url,
                "title": title.strip(),
                "price": (response.css(".listing-price::text").get() or "").strip(),
            }
        for href in response.css("a::attr(href)").getall():
            url = response.urljoin(href)
            parts = urlsplit(url)
            if parts.scheme in ("http", "https") and parts.netloc in self.origins:
                yield scrapy.Request(url.split("#", 1)[0], callback=self.parse)
