/** Rows exactly as the tables hold them (see migrations/). Kept apart from the API's types. */

export interface StreamStatsRow {
  id: 1;
  viewers: number | null;
  likes: number | null;
  total_coins: number | null;
  followers: number | null;
  shares: number | null;
  gifts: number | null;
  updated_at: string | number | null;
  streamer: string | null;
  streamer_id: string | null;
  room_id: string | null;
  session_id: number | null;
  peak_viewers: number;
}

export interface SessionRow {
  id: number;
  streamer: string;
  streamer_id: string;
  room_id: string;
  started_at: number;
  ended_at: number | null;
  end_reason: string | null;
  viewers: number;
  likes: number;
  total_coins: number;
  followers: number;
  shares: number;
  gifts: number;
  peak_viewers: number;
  updated_at: number;
  last_at: number | null;
  /** 1 once the entry's viewers are in `viewer_totals` (see migration 005). */
  folded: number;
  /** Distinct gifters, set when folded. */
  gifters: number | null;
}

export interface SessionViewerRow {
  session_id: number;
  user_id: string;
  handle: string;
  nickname: string;
  coins: number;
  gifts: number;
  likes: number;
  comments: number;
  shares: number;
  follows: number;
  first_seen: number;
  last_seen: number;
}

export interface SessionSampleRow {
  session_id: number;
  t: number;
  viewers: number;
  likes: number;
  total_coins: number;
  followers: number;
  shares: number;
  gifts: number;
}

export interface RoomMessageIdsRow {
  id: number;
  room_id: string;
  count: number;
  ids: string;
}

export interface RoomGiftStreakRow {
  room_id: string;
  streak_key: string;
  streak: string;
}

export interface GoalRow {
  seq: number;
  id: string;
  metric: string;
  label: string;
  target: number;
  on_reach: string;
  step: number | null;
  created_at: number;
  updated_at: number;
}

export interface RoomRow {
  key: number;
  room_id: string;
  like_base: number;
  room_total_max: number;
  viewers_at: number | null;
}

export interface ViewerTotalsRow {
  user_id: string;
  handle: string;
  nickname: string;
  coins: number;
  gifts: number;
  likes: number;
  comments: number;
  shares: number;
  follows: number;
  sessions: number;
  first_seen: number | null;
  last_seen: number | null;
}

export interface SessionGiftRow {
  session_id: number;
  gift_id: string;
  gift_name: string;
  diamonds: number;
  count: number;
  coins: number;
}

export interface ImportedViewerRow {
  source: string;
  user_id: string;
  streamer_key: string;
  handle: string;
  nickname: string;
  coins: number;
  gifts: number;
  likes: number;
  comments: number;
  shares: number;
  follows: number;
  first_seen: number | null;
  last_seen: number | null;
  first_gift_at: number | null;
}
