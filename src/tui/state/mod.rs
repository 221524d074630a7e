//! Plain state of each pane: selections, filters, the tail buffer. No I/O, no rendering.

mod capture;
mod dead_letters;
mod decoding;
mod incident;
mod input;
mod list;
mod packed;
mod panes;
mod replay_form;
mod schemas;
mod search;
mod tail;
mod text_field;

pub use capture::{CaptureState, EventsPage, PAGE as CAPTURE_PAGE};
pub use dead_letters::{DeadLetterRow, DeadLettersState};
pub use decoding::{Decoding, needs_mark};
pub use incident::{DeadLetterFocus, IncidentDialog, IncidentKind, ResetField, ResetForm, Stage};
pub use input::{InputLine, InputMode};
pub use list::{ListState, PaneLists, scroll_offset};
pub use packed::{EventSummary, PackedEvent};
pub use panes::{ConsumerGroupsState, DetailState, PartitionsState, RATE_HISTORY};
pub use replay_form::{ReplayField, ReplayForm};
pub use schemas::{Comparison, SchemasState};
pub use search::{KEEP as SEARCH_KEEP, SearchHit, SearchState};
pub use tail::{TailBuffer, TailState};
pub use text_field::TextField;
