//! `arcana service install`: the one-command deployment. As root it puts the running binary
//! where the unit runs it from, creates the service user and the data directory (0700, owned by
//! that user) and the token's directory (0700, root), writes `/etc/systemd/system/arcana.service`
//! and prints what it did and the commands to run next. `--print` only shows the unit.
//!
//! The user is created with `useradd` (Debian's `passwd` package, present on every Raspberry Pi
//! OS and Debian image) rather than by editing `/etc/passwd`: that is the one tool that keeps
//! `passwd`, `group` and `shadow` consistent.

use std::{
    os::unix::fs::{MetadataExt, PermissionsExt},
    path::{Path, PathBuf},
    process::Command,
};

use crate::{
    Error,
    unit::{Report, UNIT_NAME, UnitSpec},
};

use super::settings::TOKEN_CREDENTIAL;

/// Where systemd reads administrator units from.
const UNIT_DIR: &str = "/etc/systemd/system";

/// The settings of `arcana service install`.
#[derive(Debug, Clone)]
pub struct InstallOptions {
    /// The data directory.
    pub dir: PathBuf,
    /// The service user.
    pub user: String,
    /// Where the unit runs arcana from.
    pub binary: PathBuf,
    /// The token file systemd loads as a credential.
    pub token_file: PathBuf,
    /// Only print the unit.
    pub print: bool,
}

/// Runs `arcana service install`.
pub fn install(options: &InstallOptions) -> Result<(), Error> {
    let spec = UnitSpec {
        binary: options.binary.clone(),
        dir: options.dir.clone(),
        user: options.user.clone(),
        token_file: options.token_file.clone(),
        credential: TOKEN_CREDENTIAL.to_owned(),
    };
    let unit = spec.render()?;
    if options.print {
        print!("{unit}");
        return Ok(());
    }
    if !is_root() {
        return Err(Error::Usage(
            "service install must run as root (sudo arcana service install); --print shows the unit without installing"
                .into(),
        ));
    }
    let mut report = Report::default();
    place_binary(&spec.binary, &mut report)?;
    let (uid, gid) = ensure_user(&spec.user, &spec.dir, &mut report)?;
    ensure_dir(&spec.dir, Some((uid, gid)), &mut report)?;
    if let Some(parent) = spec.token_file.parent() {
        ensure_dir(parent, None, &mut report)?;
    }
    if spec.token_file.exists() {
        report.did(format!("kept the token file {} (already there)", spec.token_file.display()));
    }
    let path = Path::new(UNIT_DIR).join(UNIT_NAME);
    write_unit(&path, &unit)?;
    report.did(format!("wrote {}", path.display()));
    println!("installed the arcana service:");
    print!("{}", report.render(&spec));
    Ok(())
}

/// Whether this process runs as root (the owner of `/proc/self` is the effective user).
fn is_root() -> bool {
    std::fs::metadata("/proc/self").is_ok_and(|meta| meta.uid() == 0)
}

fn failed(what: impl std::fmt::Display, e: impl std::fmt::Display) -> Error {
    Error::Service(format!("{what}: {e}"))
}

/// Copies the running binary to `target` unless it already runs from there.
fn place_binary(target: &Path, report: &mut Report) -> Result<(), Error> {
    let current = std::env::current_exe().and_then(std::fs::canonicalize).map_err(|e| failed("this binary", e))?;
    if std::fs::canonicalize(target).is_ok_and(|t| t == current) {
        report.did(format!("kept {} (this binary)", target.display()));
        return Ok(());
    }
    if let Some(parent) = target.parent() {
        std::fs::create_dir_all(parent).map_err(|e| failed(parent.display(), e))?;
    }
    // Beside the target, then renamed over it: a running old binary keeps its inode.
    let staged = target.with_extension("new");
    std::fs::copy(&current, &staged).map_err(|e| failed(staged.display(), e))?;
    std::fs::set_permissions(&staged, std::fs::Permissions::from_mode(0o755))
        .map_err(|e| failed(staged.display(), e))?;
    std::fs::rename(&staged, target).map_err(|e| failed(target.display(), e))?;
    report.did(format!("copied {} to {}", current.display(), target.display()));
    Ok(())
}

/// The user's uid and gid, creating it as a system user (no login, no home) if it is missing.
fn ensure_user(user: &str, home: &Path, report: &mut Report) -> Result<(u32, u32), Error> {
    if let Some(ids) = lookup_user(user)? {
        report.did(format!("kept the user {user} (uid {}, gid {})", ids.0, ids.1));
        return Ok(ids);
    }
    let status = Command::new("useradd")
        .args(["--system", "--user-group", "--no-create-home", "--shell", "/usr/sbin/nologin", "--home-dir"])
        .arg(home)
        .arg(user)
        .status()
        .map_err(|e| failed("useradd", e))?;
    if !status.success() {
        return Err(failed("useradd", status));
    }
    let ids = lookup_user(user)?.ok_or_else(|| failed("useradd", format!("user {user} not found afterwards")))?;
    report.did(format!("created the system user {user} (uid {}, gid {})", ids.0, ids.1));
    Ok(ids)
}

/// The uid and gid of `user` from `/etc/passwd`.
fn lookup_user(user: &str) -> Result<Option<(u32, u32)>, Error> {
    let passwd = std::fs::read_to_string("/etc/passwd").map_err(|e| failed("/etc/passwd", e))?;
    Ok(parse_passwd(&passwd, user))
}

fn parse_passwd(passwd: &str, user: &str) -> Option<(u32, u32)> {
    passwd.lines().find_map(|line| {
        let mut fields = line.split(':');
        if fields.next()? != user {
            return None;
        }
        let _password = fields.next()?;
        Some((fields.next()?.parse().ok()?, fields.next()?.parse().ok()?))
    })
}

/// Creates `dir` (mode 0700), owned by `owner` if given.
fn ensure_dir(dir: &Path, owner: Option<(u32, u32)>, report: &mut Report) -> Result<(), Error> {
    let existed = dir.is_dir();
    std::fs::create_dir_all(dir).map_err(|e| failed(dir.display(), e))?;
    std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700)).map_err(|e| failed(dir.display(), e))?;
    let whose = match owner {
        Some((uid, gid)) => {
            std::os::unix::fs::chown(dir, Some(uid), Some(gid)).map_err(|e| failed(dir.display(), e))?;
            format!("owned by uid {uid}")
        }
        None => "owned by root".to_owned(),
    };
    let verb = if existed { "kept" } else { "created" };
    report.did(format!("{verb} {} (mode 0700, {whose})", dir.display()));
    Ok(())
}

/// Writes the unit (mode 0644) through a temporary file and a rename.
fn write_unit(path: &Path, unit: &str) -> Result<(), Error> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(|e| failed(parent.display(), e))?;
    }
    let staged = path.with_extension("service.new");
    std::fs::write(&staged, unit).map_err(|e| failed(staged.display(), e))?;
    std::fs::set_permissions(&staged, std::fs::Permissions::from_mode(0o644))
        .map_err(|e| failed(staged.display(), e))?;
    std::fs::rename(&staged, path).map_err(|e| failed(path.display(), e))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwd_lines_give_uid_and_gid() {
        let passwd = "root:x:0:0:root:/root:/bin/bash\narcana:x:998:997::/var/lib/arcana:/usr/sbin/nologin\n";
        assert_eq!(parse_passwd(passwd, "arcana"), Some((998, 997)));
        assert_eq!(parse_passwd(passwd, "root"), Some((0, 0)));
        assert_eq!(parse_passwd(passwd, "arcan"), None);
        assert_eq!(parse_passwd("broken:x:y:z", "broken"), None);
    }
}
