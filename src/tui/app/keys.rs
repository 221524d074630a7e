//! From key presses to actions (through the keymap, with chords), the input line, and the keys
//! an open incident dialog takes for itself.

use super::command_line::{ConsoleCommand, parse_command_line};
use super::{App, Notice};
use crate::protocol::Request;
use crate::tui::action::Action;
use crate::tui::keymap::{Key, Lookup};
use crate::tui::state::{InputLine, InputMode};

impl App {
    /// Interprets one key press in the current context.
    pub fn handle_key(&mut self, key: Key) -> Vec<Request> {
        self.pending_keys.push(key);
        let lookup = self.keymap.lookup(self.context(), &self.pending_keys);
        match lookup {
            Lookup::Run(action) => {
                self.pending_keys.clear();
                self.update(action)
            }
            Lookup::Pending(_) => {
                // The which-key hint shows the candidates.
                self.redraw.ask();
                Vec::new()
            }
            Lookup::Unbound => {
                let was_chord = self.pending_keys.len() > 1;
                self.pending_keys.clear();
                // Keys the keymap leaves alone edit the text being typed (cursor and word
                // moves, undo, ...): the input line's, or the incident dialog's field.
                if self.input.is_some() || self.incident.is_some() {
                    let typed = key.typed_char().map(Action::InsertChar);
                    return self.update(typed.unwrap_or(Action::EditInput(key)));
                }
                if was_chord {
                    self.redraw.ask();
                }
                Vec::new()
            }
        }
    }

    pub(super) fn edit_input(&mut self, action: &Action) -> Vec<Request> {
        match action {
            Action::CommandLine => self.input = Some(InputLine::new(InputMode::Command, "")),
            Action::Filter => {
                let current = self.current_filter();
                self.input = Some(InputLine::new(InputMode::Filter, &current));
            }
            Action::DeleteChar => {
                if let Some(input) = &mut self.input {
                    input.field.delete();
                    if input.mode == InputMode::Filter {
                        let text = input.text().to_owned();
                        self.set_filter(&text);
                    }
                }
            }
            Action::Submit => {
                if let Some(input) = self.input.take()
                    && input.mode == InputMode::Command
                {
                    return self.run_command_line(input.text());
                }
            }
            _ => {}
        }
        Vec::new()
    }

    pub(super) fn insert_char(&mut self, c: char) -> Vec<Request> {
        if let Some(input) = &mut self.input {
            input.field.insert(c);
            if input.mode == InputMode::Filter {
                let text = input.text().to_owned();
                self.set_filter(&text);
            }
        }
        Vec::new()
    }

    pub(super) fn edit_input_key(&mut self, key: Key) -> Vec<Request> {
        if let Some(input) = &mut self.input
            && input.field.edit(key)
            && input.mode == InputMode::Filter
        {
            let text = input.text().to_owned();
            self.set_filter(&text);
        }
        Vec::new()
    }

    fn run_command_line(&mut self, text: &str) -> Vec<Request> {
        match parse_command_line(text) {
            Ok(ConsoleCommand::Run(action)) => self.update(action),
            Ok(ConsoleCommand::Tail(from)) => self.tail_selected_hub(from),
            Ok(ConsoleCommand::Team(team)) => self.switch_team(team),
            Ok(ConsoleCommand::Context(name)) => self.switch_context(name),
            Ok(ConsoleCommand::Search(expression)) => {
                self.start_search(crate::protocol::SearchAsk::Where(expression))
            }
            Ok(ConsoleCommand::Trace(subject)) => {
                self.start_search(crate::protocol::SearchAsk::Trace(subject))
            }
            Ok(ConsoleCommand::Theme(name)) => {
                match self.themes.get(&name) {
                    Some(theme) => self.theme = theme.clone(),
                    None => {
                        let known: Vec<&str> = self.themes.names().collect();
                        self.notice = Some(Notice::Error(format!(
                            "no theme `{name}`; available: {}",
                            known.join(", ")
                        )));
                    }
                }
                Vec::new()
            }
            Err(message) => {
                self.notice = Some(Notice::Error(message));
                Vec::new()
            }
        }
    }

    fn current_filter(&mut self) -> String {
        self.view().pane().filter(self)
    }

    pub(super) fn set_filter(&mut self, text: &str) {
        self.view().pane().set_filter(self, text);
        self.clamp_selections();
    }
}

impl App {
    /// While the incident dialog is open its keys (typed characters included) are its own.
    /// `None`: not the dialog's.
    pub(super) fn route_dialog_key(&mut self, action: &Action) -> Option<Vec<Request>> {
        self.incident.as_ref()?;
        let is_key = Action::BINDABLE.contains(action)
            || matches!(action, Action::InsertChar(_) | Action::EditInput(_));
        if is_key && !matches!(action, Action::Quit) {
            return Some(self.incident_key(action.clone()));
        }
        None
    }
}
