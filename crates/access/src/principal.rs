//! Who is asking: the authenticated user, as every decision sees it.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use crate::{OrgId, Role, UserId};

/// An authenticated user, with everything a decision needs to know about it. Built by
/// [`crate::Directory::principal`] from the stored user and organisations; never from what a
/// client sends.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Principal {
    /// The user.
    pub user: UserId,
    /// The organisation it belongs to.
    pub org: OrgId,
    /// What it may do.
    pub role: Role,
    /// The need-to-know compartments it holds.
    pub groups: BTreeSet<String>,
    /// The organisations whose clients this principal's organisation is (it receives their
    /// TLP:AMBER when they allow it to reach clients).
    pub client_of: BTreeSet<OrgId>,
}
