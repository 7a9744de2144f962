//! A streaming replica of the tests' PostgreSQL server, on a port of its own: copied with
//! `pg_basebackup -R` (which writes the standby settings), started and stopped with `pg_ctl`.
//! PostgreSQL refuses to run as root, so as root the copy belongs to, and runs as, the
//! `postgres` user. The primary must allow replication connections from 127.0.0.1 (.ci/run
//! adds that line to pg_hba.conf).

use std::path::{Path, PathBuf};
use std::process::Command;

pub struct Replica {
    /// The folder holding the replica's data folder (removed with this value).
    dir: PathBuf,
    data: PathBuf,
    pub port: u16,
    as_postgres: bool,
}

/// The folder of PostgreSQL's server programs (`pg_ctl`, `postgres`): on `PATH`, or Debian's.
fn server_bin(name: &str) -> PathBuf {
    let on_path = Command::new(name).arg("--version").output().is_ok();
    if on_path {
        return PathBuf::from(name);
    }
    let mut found: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path().join("bin").join(name))
        .filter(|p| p.exists())
        .collect();
    found.sort();
    found.pop().unwrap_or_else(|| PathBuf::from(name))
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}

/// A free TCP port on 127.0.0.1 (free when asked; the replica binds it a moment later).
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

fn run(what: &str, cmd: &mut Command) -> Result<(), String> {
    let out = cmd
        .output()
        .map_err(|e| format!("{what}: cannot run {:?}: {e}", cmd.get_program()))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "{what} failed ({}): {}{}",
            out.status,
            String::from_utf8_lossy(&out.stderr),
            String::from_utf8_lossy(&out.stdout)
        ))
    }
}

impl Replica {
    /// Copies the primary at `host:port` (user `postgres`) and starts the copy as its standby.
    pub fn start(primary_host: &str, primary_port: u16) -> Result<Replica, String> {
        let as_postgres = is_root();
        let dir = std::env::temp_dir().join(format!(
            "jixiao-replica-{}-{}",
            std::process::id(),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.subsec_nanos())
                .unwrap_or(0)
        ));
        let data = dir.join("data");
        std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        let replica = Replica {
            dir: dir.clone(),
            data: data.clone(),
            port: free_port(),
            as_postgres,
        };
        if as_postgres {
            run("chown", Command::new("chown").arg("postgres:").arg(&dir))?;
        }
        let mut copy = replica.command(Path::new("pg_basebackup"));
        copy.args([
            "-h",
            primary_host,
            "-p",
            &primary_port.to_string(),
            "-U",
            "postgres",
        ])
        .args(["-X", "stream", "-R", "-c", "fast", "-D"])
        .arg(&data);
        run("pg_basebackup", &mut copy)?;
        // Debian keeps the server's settings outside its data folder: the copy gets its own.
        let settings = format!(
            "port = {}\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = '{}'\nhot_standby = on\nfsync = off\nlogging_collector = off\n",
            replica.port,
            dir.display()
        );
        let hba = "local all all trust\nhost all all 127.0.0.1/32 trust\n";
        for (name, text) in [("postgresql.conf", settings.as_str()), ("pg_hba.conf", hba)] {
            let path = data.join(name);
            std::fs::write(&path, text).map_err(|e| format!("{}: {e}", path.display()))?;
        }
        if as_postgres {
            run(
                "chown",
                Command::new("chown").arg("-R").arg("postgres:").arg(&data),
            )?;
        }
        replica.resume()?;
        Ok(replica)
    }

    /// `program` run as the user the replica runs as.
    fn command(&self, program: &Path) -> Command {
        if self.as_postgres {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(program);
            c
        } else {
            Command::new(program)
        }
    }

    /// Starts the replica (again) and waits until it accepts connections.
    pub fn resume(&self) -> Result<(), String> {
        let mut start = self.command(&server_bin("pg_ctl"));
        start
            .arg("-D")
            .arg(&self.data)
            .arg("-l")
            .arg(self.dir.join("log"))
            .args(["-w", "-t", "60", "start"]);
        run("starting the replica", &mut start).map_err(|e| {
            let log = std::fs::read_to_string(self.dir.join("log")).unwrap_or_default();
            format!("{e}\n{log}")
        })
    }

    /// Stops the replica at once (its connections are cut, as when its machine goes away).
    pub fn halt(&self) -> Result<(), String> {
        let mut stop = self.command(&server_bin("pg_ctl"));
        stop.arg("-D")
            .arg(&self.data)
            .args(["-m", "immediate", "-w", "stop"]);
        run("stopping the replica", &mut stop)
    }

    /// `url` (of the primary) with the replica's port instead.
    pub fn url_like(&self, url: &str, primary_port: u16) -> String {
        url.replacen(&format!(":{primary_port}/"), &format!(":{}/", self.port), 1)
    }
}

impl Drop for Replica {
    fn drop(&mut self) {
        let _ = self.halt();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
