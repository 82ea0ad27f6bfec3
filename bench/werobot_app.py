"""WeRoBot doing jubao's first dialogue step, for `python -m bench` (run by the gunicorn of
.bench-venv/, where WeRoBot lives; the project never imports this file).

Encrypted mode (token, encoding_aes_key, app_id of the demo Official Account, from the
environment): WeRoBot checks the URL signature and the message's signature, decrypts, and
encrypts its reply. Its SQLite session storage is on, so each message reads the citizen's
session and writes it back. A text 举报 is answered with the same text as jubao's first answer.

    gunicorn -w CORES -b 127.0.0.1:PORT --chdir bench werobot_app:app
"""

import os

from werobot import WeRoBot
from werobot.session.sqlitestorage import SQLiteStorage

robot = WeRoBot(
    token=os.environ["WEROBOT_TOKEN"],
    encoding_aes_key=os.environ["WEROBOT_AES_KEY"],
    app_id=os.environ["WEROBOT_APP_ID"],
    session_storage=SQLiteStorage(os.environ["WEROBOT_SESSION_FILE"]),
)
REPLY = os.environ["WEROBOT_REPLY"]


@robot.text
def first_step(message, session):
    """A first 举报 starts the dialogue: the step goes into the session, the notice goes back."""
    if message.content.strip() == "举报":
        session["step"] = "category"
        session["started"] = message.time
        return REPLY
    return "请回复“举报”开始。"


def app(environ, start_response):
    """WeRoBot's WSGI app, plus the /healthz the bench waits for."""
    if environ.get("PATH_INFO") == "/healthz":
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"ok"]
    return robot.wsgi(environ, start_response)
