-- wrk: post a 3-field form to the minimal Flask endpoint (bench/minimal_app.py)
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.body = "body=%E5%BB%BA%E8%AE%AE%E5%A2%9E%E5%8A%A0%E7%A4%BE%E5%8C%BA%E9%A3%9F%E5%A0%82&stance=suggest&author_name=%E7%8E%8B"
