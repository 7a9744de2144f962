//! `jixiao user add|list`.

use crate::support::open;
use crate::table;
use anyhow::Result;
use jixiao_app::accounts::NewUser;
use jixiao_app::Actor;
use std::process::ExitCode;

pub fn add(db: &str, actor: &Actor, new: NewUser) -> Result<ExitCode> {
    let saved = jixiao_app::accounts::save_user(&mut open(db)?, actor, &new, true)?;
    println!("用户 user `{}` ({}) saved", saved.id, saved.role);
    Ok(ExitCode::SUCCESS)
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
