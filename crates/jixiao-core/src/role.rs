//! Who someone is to an assessment: the one role type of the whole workspace, used by the
//! value workflow here, by the permission policy of the application layer, and stored with
//! each account.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// 绩效办: the performance office's administrator.
    Admin,
    /// 考评单位: reviews and grades the indicators it owns.
    Evaluator,
    /// 填报单位: enters its own unit's values.
    Reporter,
    /// 12345 热线中心: dispatches hotline cases, arbitrates returns, calls requesters back,
    /// closes and reopens cases, decides exclusions; sees every case.
    Centre,
    /// 承办人: handles the hotline cases dispatched to its street or department (the account's
    /// unit is the geography's area id): accepts or returns them, handles them, adds notes.
    Handler,
    /// 网格员: a grid inspector; the account's unit is its grid cell (网格) of the hotline
    /// geography: reports what it finds on patrol there, disposed on the spot or passed to the
    /// street.
    Inspector,
    /// 评议人: a leader, deputy, CPPCC member or member of a citizens' panel invited by the
    /// office to score units in rating rounds (领导评价, 线上评绩效, 开门考评); sees the rounds
    /// it is a rater of and its own ballots, nothing else.
    Rater,
    /// A visitor: sees published results only.
    Public,
    /// An outside system holding an API key of the office (a 12345 platform, an Open311
    /// client): submits citizen requests. Not an account.
    Client,
}

impl Role {
    /// The roles an account can have (a visitor has no account).
    pub const ACCOUNTS: [Role; 7] = [
        Role::Admin,
        Role::Evaluator,
        Role::Reporter,
        Role::Centre,
        Role::Handler,
        Role::Inspector,
        Role::Rater,
    ];

    /// An account's role from its name; a visitor is never stored.
    pub fn parse(s: &str) -> Option<Role> {
        Role::ACCOUNTS.into_iter().find(|r| r.as_str() == s)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Evaluator => "evaluator",
            Role::Reporter => "reporter",
            Role::Centre => "centre",
            Role::Handler => "handler",
            Role::Inspector => "inspector",
            Role::Rater => "rater",
            Role::Public => "public",
            Role::Client => "client",
        }
    }
}

impl std::fmt::Display for Role {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}
