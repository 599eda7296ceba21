# gunicorn settings for the shop
timeout = 60
graceful_timeout = 30
accesslog = "-"
