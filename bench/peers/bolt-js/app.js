// Bolt for JavaScript answering a signed `/ecrscan help`, for bench/run.
//
// Its default HTTP receiver verifies the signature (HMAC-SHA256, 5-minute
// window) and acknowledges with ecrscan's own help answer (HELP_JSON).
// `processBeforeResponse` stays off (the default). Nothing reaches Slack: the
// bot's ids are given, so no auth.test is made, and the Web API client points
// at a closed loopback port.
const fs = require('fs');
const { App, LogLevel } = require('@slack/bolt');

const help = JSON.parse(fs.readFileSync(process.env.HELP_JSON, 'utf8'));

const app = new App({
  signingSecret: process.env.SLACK_SIGNING_SECRET,
  token: 'xoxb-bench',
  botId: 'B0BENCH',
  botUserId: 'U0BENCH',
  tokenVerificationEnabled: false,
  processBeforeResponse: false,
  endpoints: '/slack/commands',
  clientOptions: { slackApiUrl: 'http://127.0.0.1:9/api/' },
  logLevel: LogLevel.WARN,
});

app.command('/ecrscan', async ({ command, ack }) => {
  const text = command.text.trim();
  if (text === '' || text === 'help') {
    await ack(help);
  } else {
    await ack({ response_type: 'ephemeral', text: `:warning: \`${text}\` is not a command` });
  }
});

(async () => {
  await app.start(Number(process.env.PORT));
  console.log(`bolt-js is serving port=${process.env.PORT}`);
})();
