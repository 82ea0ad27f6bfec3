"""What only `jubao demo` serves: its landing page at `/` and its fake WeChat API; the service
that `create_app` builds (serve) answers 404 for both."""

from __future__ import annotations

from jubao.demo import demo_app


async def test_the_service_outside_the_demo_has_no_landing_page_and_no_fake_wechat(client):
    assert (await client.get("/")).status == 404
    assert (await client.get("/fake-wechat/cgi-bin/token")).status == 404


async def test_the_demo_landing_page_links_the_console_and_names_the_logins(
    aiohttp_client, settings
):
    demo = await aiohttp_client(demo_app(settings))
    response = await demo.get("/")
    html = await response.text()
    assert response.status == 200 and response.content_type == "text/html"
    assert 'href="/console/"' in html and "jubao-demo" in html
    assert "<code>wang</code>" in html and "信访办" in html and "<code>zhangwei</code>" in html
    assert (await demo.get("/console/static/console.css")).status == 200
