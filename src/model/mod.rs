//! Plain domain types shared by every layer of ehops. No I/O lives here.
