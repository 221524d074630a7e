//! Event payloads and properties come from producers we do not control. Before anything
//! reaches the terminal, escape sequences and control characters are removed, so a payload
//! cannot move the cursor, change colours, set the window title or reorder text.

/// Removes ESC sequences (CSI, OSC, two-byte), C0 and C1 controls and bidi overrides.
/// Tabs become a space; newlines are kept only if `keep_newlines`, otherwise a space.
pub fn sanitize(text: &str, keep_newlines: bool) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\u{1b}' => skip_escape(&mut chars),
            '\n' if keep_newlines => out.push('\n'),
            '\n' | '\t' => out.push(' '),
            // CSI as a single C1 character: skip its parameters like ESC [.
            '\u{9b}' => skip_csi(&mut chars),
            c if c.is_control() || is_bidi_control(c) => {}
            c => out.push(c),
        }
    }
    out
}

fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

fn skip_escape(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) {
    match chars.next() {
        Some('[') => skip_csi(chars),
        // OSC, DCS, APC, PM, SOS: a string ended by BEL or ESC \.
        Some(']' | 'P' | '_' | '^' | 'X') => {
            while let Some(c) = chars.next() {
                if c == '\u{7}' {
                    break;
                }
                if c == '\u{1b}' {
                    if chars.peek() == Some(&'\\') {
                        chars.next();
                    }
                    break;
                }
            }
        }
        // Two-byte sequences (ESC c, ESC 7, ...): the next character is consumed.
        _ => {}
    }
}

fn skip_csi(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) {
    // Parameters and intermediates run until a final byte in @..~.
    for c in chars.by_ref() {
        if ('\u{40}'..='\u{7e}').contains(&c) {
            break;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::sanitize;

    #[test]
    fn removes_csi_sequences() {
        assert_eq!(sanitize("\u{1b}[31mred\u{1b}[0m text", false), "red text");
        assert_eq!(sanitize("a\u{1b}[2J\u{1b}[Hb", false), "ab");
        assert_eq!(sanitize("a\u{9b}31mb", false), "ab");
    }

    #[test]
    fn removes_osc_title_and_hyperlinks() {
        assert_eq!(sanitize("\u{1b}]0;pwned\u{7}ok", false), "ok");
        assert_eq!(
            sanitize("\u{1b}]8;;http://x\u{1b}\\link\u{1b}]8;;\u{1b}\\", false),
            "link"
        );
    }

    #[test]
    fn removes_c0_and_c1_controls() {
        assert_eq!(sanitize("a\u{7}b\u{8}c\rd\u{0}e", false), "abcde");
        assert_eq!(sanitize("a\u{85}b\u{9f}c", false), "abc");
        assert_eq!(sanitize("tab\there", false), "tab here");
    }

    #[test]
    fn newlines_kept_only_when_asked() {
        assert_eq!(sanitize("a\nb", true), "a\nb");
        assert_eq!(sanitize("a\nb", false), "a b");
    }

    #[test]
    fn removes_bidi_overrides() {
        assert_eq!(sanitize("invoice\u{202e}fdp.exe", false), "invoicefdp.exe");
        assert_eq!(sanitize("\u{2066}x\u{2069}", false), "x");
    }

    #[test]
    fn keeps_ordinary_unicode() {
        assert_eq!(sanitize("café ✓ 日本", false), "café ✓ 日本");
    }
}
