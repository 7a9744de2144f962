//! Who is acting: a logged-in account, a visitor, or the office working from the command line
//! or a scheduled job. Every action of this crate takes one.

pub use jixiao_core::Role;
use jixiao_store::User;

#[derive(Debug, Clone, PartialEq)]
pub struct Actor {
    /// The account id (or `public`, or the command line's `--actor`, or `job:INSTANCE`); what
    /// the audit log records.
    pub id: String,
    pub display_name: String,
    pub role: Role,
    /// The unit a reporter reports for.
    pub unit: Option<String>,
    /// The evaluating unit an evaluator acts for.
    pub evaluator: Option<String>,
    /// The organisation below the city the actor belongs to (a district office and its
    /// streets); `None` for the city's accounts, visitors, clients and the command line. See
    /// [`crate::policy::works_in`].
    pub organisation: Option<String>,
    /// The account behind the actor, for what only the account holds (its password hash).
    pub user: Option<User>,
}

impl Actor {
    /// A visitor who has not logged in.
    pub fn public() -> Actor {
        Actor {
            id: "public".into(),
            display_name: String::new(),
            role: Role::Public,
            unit: None,
            evaluator: None,
            organisation: None,
            user: None,
        }
    }

    /// The holder of an account.
    pub fn from_user(user: User) -> Actor {
        Actor {
            id: user.id.clone(),
            display_name: user.display_name.clone(),
            role: user.role,
            unit: user.unit_id.clone(),
            evaluator: user.evaluator_id.clone(),
            organisation: user.organisation.clone(),
            user: Some(user),
        }
    }

    /// The office itself, acting through the command line or a scheduled job under `name`
    /// (recorded as the author of what it writes).
    pub fn office(name: &str) -> Actor {
        Actor {
            id: name.into(),
            display_name: name.into(),
            role: Role::Admin,
            unit: None,
            evaluator: None,
            organisation: None,
            user: None,
        }
    }

    /// An outside system identified by one of the office's API keys, named `name` when the key
    /// was made; recorded as `open311:NAME`.
    pub fn client(name: &str) -> Actor {
        Actor {
            id: format!("open311:{name}"),
            display_name: name.into(),
            role: Role::Client,
            unit: None,
            evaluator: None,
            organisation: None,
            user: None,
        }
    }

    pub fn unit(&self) -> Option<&str> {
        self.unit.as_deref()
    }

    pub fn evaluator(&self) -> Option<&str> {
        self.evaluator.as_deref()
    }

    pub fn organisation(&self) -> Option<&str> {
        self.organisation.as_deref()
    }

    pub fn is_public(&self) -> bool {
        self.role == Role::Public
    }
}
