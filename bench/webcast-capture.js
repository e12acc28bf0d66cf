// A raw capture for the server bench: the generator's realistic LIVE, encoded as the webcast
// messages TikTok sends (tiktok-live-connector's own protobuf schemas), with the bulk real
// messages carry (avatars, badges, display texts, top viewers), so decoding costs what it
// costs live.
import fs from 'node:fs';
import path from 'node:path';
import {
  BadgeStruct,
  CommonMessageData,
  Contributor,
  FollowInfo,
  Gift,
  ImageBadge,
  ImageModel,
  MessageCommonText,
  PrivilegeLogExtra,
  TextFormat,
  TextPiece,
  TextPieceGift,
  TextPieceUser,
  User,
  WebcastChatMessage,
  WebcastGiftMessage,
  WebcastLikeMessage,
  WebcastMemberMessage,
  WebcastRoomUserSeqMessage,
  WebcastSocialMessage,
  deserializeMessage,
} from 'tiktok-live-connector';
import { RecordingGenerator } from '../dist/sources/replay/recording-generator.js';

/** Bump when the messages change, so a cached capture is made again. */
const FORMAT = 3;

/** Every field at its protobuf default (ts-proto's `encode` needs complete objects). */
const make = (fns, fields = {}) => ({ ...fns.decode(new Uint8Array(0)), ...fields });

/** Deterministic hex of a given length from a text (FNV-1a, re-hashed as needed). */
function hex(text, length) {
  let out = '';
  let hash = 0x811c9dc5;
  for (let round = 0; out.length < length; round++) {
    const input = `${text}#${round}`;
    for (let i = 0; i < input.length; i++) hash = Math.imul(hash ^ input.charCodeAt(i), 0x01000193);
    out += (hash >>> 0).toString(16).padStart(8, '0');
  }
  return out.slice(0, length);
}

function avatar(id, size) {
  const key = hex(`avatar${id}`, 32);
  const query = (ext) =>
    `https://p16-sign-va.tiktokcdn.com/tos-maliva-avt-0068/${key}~tplv-tiktokx-cropcenter:${size}:${size}.${ext}` +
    `?dr=10399&nonce=${hex(`n${id}`, 5)}&refresh_token=${hex(`r${id}`, 32)}&x-expires=1718186400` +
    `&x-signature=${hex(`s${id}${ext}`, 27)}%3D&idc=useast5&ps=13740610&shcp=fdd36af4&shp=a5d48078&t=4d5b0474`;
  return make(ImageModel, {
    urlList: [query('webp'), query('jpeg')],
    uri: `${size}x${size}/tos-maliva-avt-0068/${key}`,
  });
}

const users = new Map();

/** A viewer as TikTok describes one in every message: avatar, follow info, a level badge. */
function user(viewer) {
  let found = users.get(viewer.id);
  if (found) return found;
  const level = 1 + (Number(viewer.id.slice(-4)) % 40);
  found = make(User, {
    id: viewer.id,
    idStr: viewer.id,
    nickname: viewer.nickname,
    displayId: viewer.handle,
    secUid: `MS4wLjABAAAA${hex(`sec${viewer.id}`, 64)}`,
    avatarThumb: avatar(viewer.id, 100),
    followInfo: make(FollowInfo, {
      followingCount: String(level * 37),
      followerCount: String(level * 211),
      followStatus: '0',
    }),
    badgeList: [
      make(BadgeStruct, {
        displayType: 1,
        display: true,
        privilegeLogExtra: make(PrivilegeLogExtra, {
          dataVersion: '2',
          privilegeId: '7138381747292542756',
          level: String(level),
        }),
        image: make(ImageBadge, {
          displayType: 1,
          image: make(ImageModel, {
            urlList: [
              `https://p19-webcast.tiktokcdn.com/webcast-va/grade_badge_icon_lite_lv${level}_v2.png~tplv-obj.image`,
            ],
            uri: `webcast-va/grade_badge_icon_lite_lv${level}_v2.png`,
            height: 16,
            width: 32,
          }),
        }),
      }),
    ],
  });
  users.set(viewer.id, found);
  return found;
}

const STREAMER = { id: '7100000000000000042', handle: 'busy', nickname: 'Busy Streamer' };
const ROOM = '7400000000000000042';
const WHITE = make(TextFormat, { color: '#ffffffff', weight: 400 });

/** The line a message shows in TikTok's chat area: pattern and the viewer it names. */
function displayText(key, pattern, viewer, gift) {
  const pieces = [
    make(TextPiece, {
      type: 11,
      format: WHITE,
      userValue: make(TextPieceUser, { user: user(viewer), withColon: false }),
    }),
  ];
  if (gift) {
    pieces.push(
      make(TextPiece, {
        type: 12,
        format: WHITE,
        giftValue: make(TextPieceGift, { giftId: String(gift.giftId) }),
      }),
    );
  }
  return make(MessageCommonText, { key, defaultPattern: pattern, defaultFormat: WHITE, pieces });
}

function common(method, event, text) {
  return make(CommonMessageData, {
    method,
    msgId: event.msgId ?? String(7_360_000_000_000_000_000n + BigInt(event.at)),
    roomId: ROOM,
    createTime: String(event.at),
    isShowMsg: true,
    logId: `${hex(`log${event.msgId ?? event.at}`, 34).toUpperCase()}`,
    ...(text ? { displayText: text } : {}),
  });
}

function giftStruct(event) {
  const image = hex(`gift${event.giftId}`, 32);
  return make(Gift, {
    id: String(event.giftId),
    name: event.giftName,
    type: event.streakable ? 1 : 2,
    combo: event.streakable,
    diamondCount: event.diamonds,
    describe: `sent ${event.giftName}`,
    duration: 1000,
    image: make(ImageModel, {
      urlList: [
        `https://p19-webcast.tiktokcdn.com/img/maliva/webcast-va/${image}~tplv-obj.webp`,
        `https://p16-webcast.tiktokcdn.com/img/maliva/webcast-va/${image}~tplv-obj.webp`,
      ],
      uri: `webcast-va/${image}`,
    }),
  });
}

const SOCIAL = {
  follow: ['pm_main_follow_message_viewer_2', '{0:user} followed the host', '1'],
  share: ['pm_mt_guidance_share', '{0:user} shared the LIVE', '3'],
  other: ['pm_mt_social_repost', '{0:user} reposted', '0'],
};

/** One generator event as the webcast message TikTok sends for it. */
function encode(event, topViewers) {
  switch (event.type) {
    case 'viewers': {
      const method = 'WebcastRoomUserSeqMessage';
      const payload = WebcastRoomUserSeqMessage.encode(
        make(WebcastRoomUserSeqMessage, {
          common: common(method, event),
          total: String(event.count),
          totalUser: String(event.count * 9),
          popularity: String(event.count * 3),
          popStr: String(event.count),
          ranks: topViewers.map((viewer, i) =>
            make(Contributor, {
              user: user(viewer),
              rank: String(i + 1),
              score: String(900 - i * 250),
            }),
          ),
        }),
      ).finish();
      return { method, payload };
    }
    case 'join':
    case 'subscribe': {
      const method = 'WebcastMemberMessage';
      const text =
        event.type === 'join'
          ? displayText('live_room_enter_toast', '{0:user} joined', event.user)
          : displayText('live_sub_toast', '{0:user} subscribed', event.user);
      const payload = WebcastMemberMessage.encode(
        make(WebcastMemberMessage, {
          common: common(method, event, text),
          user: user(event.user),
          action: event.type === 'join' ? 1 : 3,
          memberCount: 1200,
          enterType: 1,
        }),
      ).finish();
      return { method, payload };
    }
    case 'chat': {
      const method = 'WebcastChatMessage';
      const payload = WebcastChatMessage.encode(
        make(WebcastChatMessage, {
          common: common(method, event),
          user: user(event.user),
          content: event.text,
          contentLanguage: 'en',
        }),
      ).finish();
      return { method, payload };
    }
    case 'like': {
      const method = 'WebcastLikeMessage';
      const text = displayText('pm_mt_msg_viewer', '{0:user} liked the LIVE', event.user);
      const payload = WebcastLikeMessage.encode(
        make(WebcastLikeMessage, {
          common: common(method, event, text),
          user: user(event.user),
          count: event.count,
          // "0": this like message did not carry the room total.
          total: String(event.roomTotal ?? 0),
          effectCnt: String(event.count),
        }),
      ).finish();
      return { method, payload };
    }
    case 'gift': {
      const method = 'WebcastGiftMessage';
      const text = displayText(
        'pm_mt_live_gift_message_to_anchor',
        '{0:user} sent {1:gift} × {2:string}',
        event.user,
        event,
      );
      const payload = WebcastGiftMessage.encode(
        make(WebcastGiftMessage, {
          common: common(method, event, text),
          giftId: String(event.giftId),
          repeatCount: event.repeatCount,
          comboCount: event.repeatCount,
          groupCount: 1,
          repeatEnd: event.repeatEnd ? 1 : 0,
          groupId: event.groupId ?? '0',
          user: user(event.user),
          toUser: user(STREAMER),
          gift: giftStruct(event),
          logId: hex(`glog${event.msgId}`, 34).toUpperCase(),
          sendType: '1',
          monitorExtra: JSON.stringify({
            anchor_id: Number(STREAMER.id.slice(0, 15)),
            from_idc: 'useast5',
            from_user_id: Number(event.user.id.slice(0, 15)),
            gift_id: event.giftId,
            gift_type: event.streakable ? 1 : 2,
            log_id: hex(`glog${event.msgId}`, 34).toUpperCase(),
            msg_id: Number(event.msgId.slice(0, 15)),
            repeat_count: event.repeatCount,
            repeat_end: event.repeatEnd ? 1 : 0,
            room_id: Number(ROOM.slice(0, 15)),
            send_gift_profit_core_start_ms: 0,
            send_gift_send_message_success_ms: event.at,
            to_user_id: Number(STREAMER.id.slice(0, 15)),
          }),
        }),
      ).finish();
      return { method, payload };
    }
    case 'follow':
    case 'share':
    case 'other': {
      const method = 'WebcastSocialMessage';
      const [key, pattern, action] = SOCIAL[event.type];
      const payload = WebcastSocialMessage.encode(
        make(WebcastSocialMessage, {
          common: common(method, event, displayText(key, pattern, event.user)),
          user: user(event.user),
          action,
          shareType: event.type === 'share' ? '1' : '0',
          followCount: event.type === 'follow' ? '4211' : '0',
          shareCount: event.type === 'share' ? 1 : 0,
        }),
      ).finish();
      return { method, payload };
    }
    default:
      return undefined;
  }
}

/**
 * Writes `rate` messages a second for `seconds` (cached under `dir`): the generator's mix,
 * re-timed evenly, plus every 25th message one the stats rules ignore (reposts,
 * subscriptions). Returns the file and, for measuring, which lines carry alerts (gifts at
 * combo end, follows, shares) and like totals.
 */
export async function benchCapture(dir, { rate, seconds, seed = 99 }) {
  const name = `capture-v${FORMAT}-s${seed}-r${rate}-t${seconds}.ndjson`;
  const file = path.join(dir, name);
  const metaFile = `${file}.meta.json`;
  if (fs.existsSync(file) && fs.existsSync(metaFile)) {
    return { file, ...JSON.parse(fs.readFileSync(metaFile, 'utf8')) };
  }
  fs.mkdirSync(dir, { recursive: true });
  const generator = new RecordingGenerator({
    seed,
    durationSec: 1800,
    intensity: 4,
    audience: 30_000,
    streamer: STREAMER.handle,
    streamerId: STREAMER.id,
    roomId: ROOM,
  });
  const total = rate * seconds;
  const source = generator.events();
  const header = source.next().value;
  const lines = [JSON.stringify(header)];
  const alerts = []; // [line, key]
  const likes = []; // [line, roomTotal]
  const bytes = {};
  const topViewers = [];
  let roomLikes = 0;
  for (let i = 0; i < total; i++) {
    let event;
    if (i % 25 === 24) {
      const from = topViewers[i % 3] ?? { id: '6900000000000000001', handle: 'x', nickname: 'X' };
      event = {
        type: i % 2 ? 'other' : 'subscribe',
        msgId: String(7_370_000_000_000_000_000n + BigInt(i)),
        user: from,
      };
    } else {
      const next = source.next();
      if (next.done || next.value.type === 'streamEnd')
        throw new Error('the generated LIVE is too short');
      event = next.value;
    }
    event.at = header.at + Math.floor((i * 1000) / rate);
    if (
      event.type === 'gift' &&
      topViewers.length < 3 &&
      !topViewers.some((v) => v.id === event.user.id)
    ) {
      topViewers.push(event.user);
    }
    const line = lines.length + 1;
    if (event.type === 'like') {
      // Totals as TikTok keeps them: never lower than what was already announced.
      if (event.roomTotal !== undefined) {
        if (event.roomTotal > roomLikes) likes.push([line, event.roomTotal]);
        roomLikes = Math.max(roomLikes, event.roomTotal);
        event.roomTotal = roomLikes;
      }
    } else if (event.type === 'follow' || event.type === 'share') {
      alerts.push([line, `${event.type}:${event.user.id}:${event.at}`]);
    } else if (event.type === 'gift' && (event.repeatEnd || !event.streakable)) {
      alerts.push([line, `gift:${event.user.id}:${event.at}`]);
    }
    const message = encode(event, topViewers);
    bytes[message.method] ??= { count: 0, bytes: 0 };
    bytes[message.method].count++;
    bytes[message.method].bytes += message.payload.length;
    lines.push(
      JSON.stringify({
        at: event.at,
        method: message.method,
        payload: Buffer.from(message.payload).toString('base64'),
      }),
    );
  }
  fs.writeFileSync(`${file}.tmp`, lines.join('\n') + '\n');
  fs.renameSync(`${file}.tmp`, file);
  const meta = { streamer: STREAMER.handle, messages: total, alerts, likes, bytes };
  fs.writeFileSync(metaFile, JSON.stringify(meta));
  return { file, ...meta };
}

/** Microseconds tiktok-live-connector's decoder takes for a message of the capture (best of 3). */
export function decodeCost(file, count) {
  const fd = fs.openSync(file, 'r');
  const buffer = Buffer.alloc(64 * 1024 * 1024);
  const text = buffer.toString('utf8', 0, fs.readSync(fd, buffer, 0, buffer.length, 0));
  fs.closeSync(fd);
  const lines = text.split('\n');
  lines.pop(); // cut off where the read ended
  const messages = lines
    .slice(1, count + 1)
    .filter((line) => line.startsWith('{"at"'))
    .map((line) => JSON.parse(line))
    .map((m) => ({ method: m.method, payload: Buffer.from(m.payload, 'base64') }));
  let best = Infinity;
  for (let round = 0; round < 3; round++) {
    const started = performance.now();
    for (const m of messages) deserializeMessage(m.method, m.payload);
    best = Math.min(best, ((performance.now() - started) * 1000) / messages.length);
  }
  return best;
}
