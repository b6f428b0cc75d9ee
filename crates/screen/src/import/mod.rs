//! Watchlists from the formats sanctions and threat-intelligence lists are published in.
