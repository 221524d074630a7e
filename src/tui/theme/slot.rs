//! The semantic style slots a theme fills, named as they are written in theme files.

/// One meaning a style can have on screen. Views ask for meanings, never for colours.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Slot {
    Text,
    Muted,
    Border,
    BorderFocused,
    Title,
    TitleFocused,
    Crumbs,
    TableHeader,
    Selected,
    SelectedUnfocused,
    OwnTeam,
    StatusBar,
    StatusOk,
    StatusWarn,
    StatusError,
    HintKey,
    HintDesc,
    LagOk,
    LagStuck,
    LagLost,
    TailTime,
    TailPartition,
    TailSequence,
    TailType,
    TailSubject,
    TailSource,
    TailSize,
    TailPaused,
    DetailSection,
    DetailKey,
    DetailValue,
    JsonKey,
    JsonString,
    JsonNumber,
    JsonLiteral,
    Sparkline,
    Input,
}

impl Slot {
    pub const ALL: [Slot; 37] = [
        Slot::Text,
        Slot::Muted,
        Slot::Border,
        Slot::BorderFocused,
        Slot::Title,
        Slot::TitleFocused,
        Slot::Crumbs,
        Slot::TableHeader,
        Slot::Selected,
        Slot::SelectedUnfocused,
        Slot::OwnTeam,
        Slot::StatusBar,
        Slot::StatusOk,
        Slot::StatusWarn,
        Slot::StatusError,
        Slot::HintKey,
        Slot::HintDesc,
        Slot::LagOk,
        Slot::LagStuck,
        Slot::LagLost,
        Slot::TailTime,
        Slot::TailPartition,
        Slot::TailSequence,
        Slot::TailType,
        Slot::TailSubject,
        Slot::TailSource,
        Slot::TailSize,
        Slot::TailPaused,
        Slot::DetailSection,
        Slot::DetailKey,
        Slot::DetailValue,
        Slot::JsonKey,
        Slot::JsonString,
        Slot::JsonNumber,
        Slot::JsonLiteral,
        Slot::Sparkline,
        Slot::Input,
    ];

    /// The `group.name` a theme file uses (`[lag] stuck = ...` is `lag.stuck`).
    pub const fn name(self) -> &'static str {
        match self {
            Slot::Text => "base.text",
            Slot::Muted => "base.muted",
            Slot::Border => "border.normal",
            Slot::BorderFocused => "border.focused",
            Slot::Title => "title.normal",
            Slot::TitleFocused => "title.focused",
            Slot::Crumbs => "title.crumbs",
            Slot::TableHeader => "table.header",
            Slot::Selected => "table.selected",
            Slot::SelectedUnfocused => "table.selected_unfocused",
            Slot::OwnTeam => "table.own_team",
            Slot::StatusBar => "status.bar",
            Slot::StatusOk => "status.ok",
            Slot::StatusWarn => "status.warn",
            Slot::StatusError => "status.error",
            Slot::HintKey => "hint.key",
            Slot::HintDesc => "hint.desc",
            Slot::LagOk => "lag.ok",
            Slot::LagStuck => "lag.stuck",
            Slot::LagLost => "lag.lost",
            Slot::TailTime => "tail.time",
            Slot::TailPartition => "tail.partition",
            Slot::TailSequence => "tail.sequence",
            Slot::TailType => "tail.type",
            Slot::TailSubject => "tail.subject",
            Slot::TailSource => "tail.source",
            Slot::TailSize => "tail.size",
            Slot::TailPaused => "tail.paused",
            Slot::DetailSection => "detail.section",
            Slot::DetailKey => "detail.key",
            Slot::DetailValue => "detail.value",
            Slot::JsonKey => "json.key",
            Slot::JsonString => "json.string",
            Slot::JsonNumber => "json.number",
            Slot::JsonLiteral => "json.literal",
            Slot::Sparkline => "partition.sparkline",
            Slot::Input => "input.text",
        }
    }

    pub fn from_name(name: &str) -> Option<Slot> {
        Slot::ALL.iter().copied().find(|s| s.name() == name)
    }

    /// Slots that must stay visible without colour (NO_COLOR): they keep reverse video.
    pub(super) const fn needs_reverse_without_colour(self) -> bool {
        matches!(
            self,
            Slot::Selected | Slot::SelectedUnfocused | Slot::LagLost | Slot::StatusBar
        )
    }

    pub(super) const fn index(self) -> usize {
        self as usize
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn all_is_in_declaration_order_and_names_are_unique() {
        for (i, slot) in Slot::ALL.iter().enumerate() {
            assert_eq!(slot.index(), i, "{slot:?}");
            assert_eq!(Slot::from_name(slot.name()), Some(*slot));
        }
    }

    #[test]
    fn slot_list_snapshot() {
        let names: Vec<&str> = Slot::ALL.iter().map(|s| s.name()).collect();
        insta::assert_snapshot!(names.join("\n"));
    }
}
