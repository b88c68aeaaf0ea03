//! Registries: the AWS accounts and regions whose images ecrscan serves. Pure.
//!
//! With `ECRSCAN_REGISTRIES` unset there is one registry, the one of ecrscan's
//! own credentials and region, and a repository is named as ECR names it
//! (`example`). With registries configured, every repository inside ecrscan
//! (in the store, in jobs, in buttons, in messages) is `ALIAS/REPO`: the alias
//! of its registry, `/`, and the repository. The AWS ports strip the alias
//! before calling AWS and put it back on what AWS returns.

use crate::routing::ImagePattern;
use crate::scan::image::{Image, ImageId};
use crate::schedule::name_for;

/// One registry: an account and a region, the role ecrscan assumes there, and
/// the alias people call it by.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Registry {
    pub alias: String,
    /// Twelve digits.
    pub account: String,
    pub region: String,
    pub role_arn: String,
}

impl Registry {
    /// `arn` (an IAM role) with its account replaced by this registry's: the
    /// same role name in every account. Scheduler only passes roles of its own account.
    pub fn own_role(&self, arn: &str) -> String {
        let mut parts: Vec<&str> = arn.splitn(6, ':').collect();
        if parts.len() == 6 {
            parts[4] = &self.account;
        }
        parts.join(":")
    }
}

/// The registries of `ECRSCAN_REGISTRIES`, in the order given; empty when it is unset.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Registries(Vec<Registry>);

impl Registries {
    /// Parses `prod=123456789012/us-east-1/arn:aws:iam::123456789012:role/ecrscan, …`.
    /// Entries are separated by commas; in each, the role ARN is everything after
    /// the second `/`. The problem, when there is one, names the entry.
    pub fn parse(value: &str) -> Result<Registries, String> {
        let mut registries: Vec<Registry> = Vec::new();
        for entry in value.split(',').map(str::trim).filter(|e| !e.is_empty()) {
            let registry = entry_of(entry).map_err(|problem| format!("`{entry}`: {problem}"))?;
            if registries.iter().any(|r| r.alias == registry.alias) {
                return Err(format!(
                    "`{entry}`: the alias `{}` is used twice",
                    registry.alias
                ));
            }
            if let Some(same) = registries
                .iter()
                .find(|r| (&r.account, &r.region) == (&registry.account, &registry.region))
            {
                return Err(format!(
                    "`{entry}`: {} in {} is already `{}`",
                    registry.account, registry.region, same.alias
                ));
            }
            registries.push(registry);
        }
        Ok(Registries(registries))
    }

    /// Whether none is configured: ecrscan serves its own account and region.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = &Registry> {
        self.0.iter()
    }

    /// `prod, staging`: the aliases, as answers list them.
    pub fn aliases(&self) -> String {
        let aliases: Vec<String> = self.0.iter().map(|r| format!("`{}`", r.alias)).collect();
        aliases.join(", ")
    }

    /// The registry of an account and region, as scan events name them.
    pub fn at(&self, account: &str, region: &str) -> Option<&Registry> {
        self.0
            .iter()
            .find(|r| r.account == account && r.region == region)
    }

    /// A repository as ecrscan names it, split into its registry and the
    /// repository as ECR names it; no registry when none is configured (or the
    /// name has no known alias).
    pub fn split<'a>(&self, repository: &'a str) -> (Option<&Registry>, &'a str) {
        repository
            .split_once('/')
            .and_then(|(alias, rest)| Some((self.0.iter().find(|r| r.alias == alias)?, rest)))
            .map_or((None, repository), |(registry, rest)| {
                (Some(registry), rest)
            })
    }

    /// A repository as a user wrote it (`example`, `staging/example`, or after an
    /// ECR host, `123456789012.dkr.ecr.us-east-1.amazonaws.com/example`), as
    /// ecrscan names it. Without an alias the first registry is meant; a host must
    /// be a configured registry's (with none configured, any host is ecrscan's own).
    pub fn qualify(&self, repository: &str) -> Result<String, String> {
        if let Some((host, rest)) = repository.split_once('/')
            && let Some((account, region)) = ecr_host(host)
        {
            return match self.at(account, region) {
                Some(registry) => Ok(format!("{}/{rest}", registry.alias)),
                None if self.is_empty() => Ok(rest.to_string()),
                None => Err(format!(
                    "`{host}` is account {account} in {region}, which is not one of the registries ecrscan serves: {}",
                    self.aliases()
                )),
            };
        }
        match (self.split(repository), self.0.first()) {
            ((Some(_), _), _) | (_, None) => Ok(repository.to_string()),
            ((None, _), Some(first)) => Ok(format!("{}/{repository}", first.alias)),
        }
    }

    /// `image` as ecrscan names it, for a scan event from `account` in `region`.
    pub fn attribute(
        &self,
        mut image: Image,
        account: &str,
        region: &str,
    ) -> Result<Image, String> {
        if self.is_empty() {
            return Ok(image);
        }
        match self.at(account, region) {
            Some(registry) => {
                image.repository = format!("{}/{}", registry.alias, image.repository);
                Ok(image)
            }
            None => Err(format!(
                "the event is from account {account} in {region}, which ECRSCAN_REGISTRIES does not name"
            )),
        }
    }

    /// The schedule name of an image: [`name_for`] of the repository in its
    /// registry, after `ALIAS/` when registries are configured (Scheduler names
    /// have no `/`, so the Scheduler port knows where to send it).
    pub fn schedule_name(&self, repository: &str, id: &ImageId) -> String {
        let (_, rest) = self.split(repository);
        self.scoped(repository, &name_for(rest, id))
    }

    /// A Scheduler `name` (of a schedule or a group) in the registry of
    /// `repository`: `ALIAS/name` when the repository names one, else `name`.
    pub fn scoped(&self, repository: &str, name: &str) -> String {
        match self.split(repository) {
            (Some(registry), _) => format!("{}/{name}", registry.alias),
            (None, _) => name.to_string(),
        }
    }

    /// Whether `pattern` matches `image`. A pattern that starts with an alias
    /// (`prod/*`, `staging/example:web-*`) matches that registry's images; any
    /// other pattern matches the repository in every registry.
    pub fn matches(&self, pattern: &ImagePattern, image: &Image) -> bool {
        let (registry, repository) = self.split(&image.repository);
        match self.split(pattern.as_str()) {
            (Some(wanted), rest) => {
                registry == Some(wanted)
                    && ImagePattern::parse(rest).is_ok_and(|p| p.matches(repository, &image.tags))
            }
            (None, _) => pattern.matches(repository, &image.tags),
        }
    }
}

/// `ALIAS=ACCOUNT/REGION/ROLE_ARN`.
fn entry_of(entry: &str) -> Result<Registry, String> {
    let form = "write ALIAS=ACCOUNT/REGION/ROLE_ARN";
    let (alias, rest) = entry
        .split_once('=')
        .ok_or_else(|| format!("has no `=`; {form}"))?;
    let (alias, rest) = (alias.trim(), rest.trim());
    let mut parts = rest.splitn(3, '/');
    let (Some(account), Some(region), Some(role_arn)) = (parts.next(), parts.next(), parts.next())
    else {
        return Err(format!("has fewer than three parts after `=`; {form}"));
    };
    check_alias(alias)?;
    if !is_account(account) {
        return Err(format!("`{account}` is not an account id (12 digits)"));
    }
    if !is_region(region) {
        return Err(format!("`{region}` is not an AWS region such as us-east-1"));
    }
    let role_account = role_account(role_arn).ok_or_else(|| {
        format!("`{role_arn}` is not an IAM role ARN such as arn:aws:iam::{account}:role/ecrscan")
    })?;
    if role_account != account {
        return Err(format!(
            "the role `{role_arn}` is in account {role_account}, not in {account}"
        ));
    }
    Ok(Registry {
        alias: alias.to_string(),
        account: account.to_string(),
        region: region.to_string(),
        role_arn: role_arn.to_string(),
    })
}

/// Lowercase letters, digits and `-`, starting with a letter or digit, at most
/// 32 (an account id will do, as the member module's default).
fn check_alias(alias: &str) -> Result<(), String> {
    let ok = (1..=32).contains(&alias.len())
        && alias.starts_with(|c: char| c.is_ascii_lowercase() || c.is_ascii_digit())
        && alias
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    match ok {
        true => Ok(()),
        false => Err(format!(
            "`{alias}` is not an alias: up to 32 lowercase letters, digits and `-`, not starting with `-`"
        )),
    }
}

fn is_account(s: &str) -> bool {
    s.len() == 12 && s.bytes().all(|b| b.is_ascii_digit())
}

/// `us-east-1`, `us-gov-west-1`, `ap-southeast-2`, `cn-north-1`.
fn is_region(s: &str) -> bool {
    let parts: Vec<&str> = s.split('-').collect();
    parts.len() >= 3
        && parts[0].len() == 2
        && parts[..parts.len() - 1]
            .iter()
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_lowercase()))
        && parts[parts.len() - 1]
            .parse::<u8>()
            .is_ok_and(|n| n > 0 && !parts[parts.len() - 1].starts_with('0'))
}

/// The account of `arn:PARTITION:iam::ACCOUNT:role/NAME`, when it is one.
fn role_account(arn: &str) -> Option<&str> {
    let [scheme, partition, service, region, account, resource] =
        arn.splitn(6, ':').collect::<Vec<_>>()[..]
    else {
        return None;
    };
    let name = resource.strip_prefix("role/")?;
    let name_ok = !name.is_empty()
        && !name.ends_with('/')
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"+=,.@_-/".contains(&b));
    let partition_ok = matches!(partition, "aws" | "aws-cn" | "aws-us-gov");
    (scheme == "arn"
        && partition_ok
        && service == "iam"
        && region.is_empty()
        && is_account(account)
        && name_ok)
        .then_some(account)
}

/// The account and region of an ECR registry host,
/// `123456789012.dkr.ecr.us-east-1.amazonaws.com` (also `dkr.ecr-fips` and `.com.cn`).
pub fn ecr_host(host: &str) -> Option<(&str, &str)> {
    let (account, rest) = host.split_once('.')?;
    let rest = rest
        .strip_prefix("dkr.ecr.")
        .or_else(|| rest.strip_prefix("dkr.ecr-fips."))?;
    let region = rest
        .strip_suffix(".amazonaws.com")
        .or_else(|| rest.strip_suffix(".amazonaws.com.cn"))?;
    (is_account(account) && is_region(region)).then_some((account, region))
}

#[cfg(test)]
mod tests;
