import type { Channel, ChannelName } from './channel.js';
import { dingtalk } from './dingtalk.js';
import { discord } from './discord.js';
import { feishu } from './feishu.js';
import { slack } from './slack.js';
import { teams } from './teams.js';
import { telegram } from './telegram.js';
import { webhook } from './webhook.js';
import { wecom } from './wecom.js';

export * from './channel.js';

export const CHANNELS: { [N in ChannelName]: Channel<N> } = { slack, dingtalk, wecom, feishu, telegram, teams, discord, webhook };
