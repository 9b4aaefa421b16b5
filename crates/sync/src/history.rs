//! What the desktop app's Sync dashboard draws: each channel's recent event-to-channel
//! latencies (the sparkline) and one SKU's push history across channels. Read-only views over
//! the push log the worker writes on every acknowledgement; the store owns the queries
//! (`shelfsync_store::channels::history`) and no rule lives here.

pub use shelfsync_store::channels::history::{
    LatencyPoint, MAX_LATENCY_POINTS, MAX_PUSHES, PushRecord, channels_listing, push_history,
    recent_latencies,
};
