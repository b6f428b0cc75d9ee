//! Tests of muninn-text: folding, skeletons, the word scanner and the name matcher, each
//! data-driven through one `check` helper, plus properties against slow string-based models.

#![allow(clippy::unwrap_used)]

mod matcher;
mod normalise;
