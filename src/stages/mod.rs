//! One module per install stage.
