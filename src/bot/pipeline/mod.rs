//! The pipeline: what happens to an update from `getUpdates` until its handler starts, and
//! after it ends. Polling lets the sentinel decide each update in arrival order and writes the
//! admitted ones to the inbox; the dispatcher puts each into its chat's lane, where it waits for
//! the start gate, runs its handler (the `handlers` room) and is removed from the inbox. A denied
//! update gets its notice or query answer here. Also here: connecting to the Bot API at start.

pub(super) mod client;
pub(super) mod dispatch;
mod gate;
mod lane;
mod lanes;
mod notice;
pub(super) mod polling;
mod raw_updates;
pub(super) mod startup;
