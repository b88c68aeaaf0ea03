"""Bolt for Python answering a signed `/ecrscan help`, for bench/run.

AsyncApp on Bolt's aiohttp server (`app.start()`): its request verification
checks the signature (HMAC-SHA256, 5-minute window), and the command is
acknowledged with ecrscan's own help answer (HELP_JSON). Nothing reaches Slack:
`authorize` returns the bot's identity without auth.test, and the Web API
client points at a closed loopback port.
"""

import json
import os

from slack_bolt.async_app import AsyncApp
from slack_bolt.authorization import AuthorizeResult
from slack_sdk.web.async_client import AsyncWebClient

with open(os.environ["HELP_JSON"]) as f:
    HELP = json.load(f)


async def authorize(enterprise_id, team_id, user_id):
    return AuthorizeResult(
        enterprise_id=enterprise_id,
        team_id=team_id,
        user_id=user_id,
        bot_token="xoxb-bench",
        bot_id="B0BENCH",
        bot_user_id="U0BENCH",
    )


app = AsyncApp(
    signing_secret=os.environ["SLACK_SIGNING_SECRET"],
    authorize=authorize,
    client=AsyncWebClient(base_url="http://127.0.0.1:9/api/"),
)


@app.command("/ecrscan")
async def ecrscan(ack, command):
    text = command["text"].strip()
    if text in ("", "help"):
        await ack(**HELP)
    else:
        await ack(response_type="ephemeral", text=f":warning: `{text}` is not a command")


if __name__ == "__main__":
    print(f"bolt-python is serving port={os.environ['PORT']}", flush=True)
    app.start(port=int(os.environ["PORT"]), path="/slack/commands", host="127.0.0.1")
