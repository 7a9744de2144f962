//! `jixiao user add|list|deactivate|activate`.

use crate::support::open;
use crate::table;
use anyhow::Result;
use jixiao_app::accounts::{NewUser, UserChange};
use jixiao_app::Actor;
use std::process::ExitCode;

pub fn add(db: &str, actor: &Actor, new: NewUser) -> Result<ExitCode> {
    let saved = jixiao_app::accounts::create_user(&mut open(db)?, &settings(), actor, &new)?;
    println!("用户 user `{}` ({}) created", saved.id, saved.role);
    Ok(ExitCode::SUCCESS)
}

pub fn set_active(db: &str, actor: &Actor, id: &str, active: bool) -> Result<ExitCode> {
    let change = UserChange {
        active: Some(active),
        ..Default::default()
    };
    jixiao_app::accounts::update_user(&mut open(db)?, &settings(), actor, id, &change)?;
    if active {
        println!("用户 user `{id}` activated");
    } else {
        println!("用户 user `{id}` deactivated; its sessions and API tokens ended");
    }
    Ok(ExitCode::SUCCESS)
}

/// The password policy of the command line: the defaults, or JIXIAO_PASSWORD_MIN_LENGTH and
/// JIXIAO_PASSWORD_MIN_SCORE (the keys of the server's configuration).
fn settings() -> jixiao_app::Settings {
    let mut s = jixiao_app::Settings::default();
    let var = |k: &str| std::env::var(k).ok().and_then(|v| v.parse::<usize>().ok());
    if let Some(n) = var("JIXIAO_PASSWORD_MIN_LENGTH") {
        s.password_min_length = n;
    }
    if let Some(n) = var("JIXIAO_PASSWORD_MIN_SCORE") {
        s.password_min_score = n.min(4) as u8;
    }
    s
}

pub fn list(db: &str, actor: &Actor) -> Result<ExitCode> {
    let rows: Vec<Vec<String>> = jixiao_app::accounts::list(&mut open(db)?, actor)?
        .into_iter()
        .map(|u| {
            vec![
                u.id,
                u.display_name,
                u.role,
                u.unit_id.unwrap_or_default(),
                u.evaluator_id.unwrap_or_default(),
                if u.active { "yes".into() } else { "no".into() },
            ]
        })
        .collect();
    print!(
        "{}",
        table::render(
            &[
                "id",
                "名称 name",
                "角色 role",
                "单位 unit",
                "考评主体 evaluator",
                "启用 active"
            ],
            &rows
        )
    );
    Ok(ExitCode::SUCCESS)
}
