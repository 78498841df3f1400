//! Which sites the daemon crawls together, and when: explicit `[[group]]` sections first,
//! then one implicit group per distinct `schedule` of the sites in no explicit group.

use std::collections::HashSet;

use anyhow::Result;

use crate::config::Config;
use crate::schedule::Schedule;

/// Sites crawled in one run, on one schedule.
#[derive(Debug, Clone)]
pub struct Group {
    /// The group's name (`[[group]]`'s `name`, or an implicit group's).
    pub name: String,
    /// When its runs start.
    pub schedule: Schedule,
    /// The configured sites it crawls, by name.
    pub sites: Vec<String>,
    /// Where its run summaries are posted, if anywhere.
    pub webhook: Option<String>,
}

/// Prefix of the name of an implicit group (followed by its cron expression).
pub const IMPLICIT_PREFIX: &str = "schedule ";

/// The groups of a config, in config order. The config was checked when loaded, so an
/// expression that fails to parse here is still reported, not assumed.
pub fn groups_of(config: &Config) -> Result<Vec<Group>> {
    let mut groups = Vec::new();
    let mut grouped: HashSet<&str> = HashSet::new();
    for g in &config.groups {
        groups.push(Group {
            name: g.name.clone(),
            schedule: Schedule::parse(&g.schedule)?,
            sites: g.sites.clone(),
            webhook: g.webhook.clone(),
        });
        grouped.extend(g.sites.iter().map(String::as_str));
    }
    let explicit = groups.len();
    for site in &config.sites {
        let Some(expr) = site.schedule.as_deref().map(str::trim) else {
            continue;
        };
        if grouped.contains(site.name.as_str()) {
            tracing::warn!(
                site = %site.name,
                "the site is in a [[group]]: its own schedule `{expr}` is not used"
            );
            continue;
        }
        let name = format!("{IMPLICIT_PREFIX}{expr}");
        match groups[explicit..].iter_mut().find(|g| g.name == name) {
            Some(group) => group.sites.push(site.name.clone()),
            None => groups.push(Group {
                name,
                schedule: Schedule::parse(expr)?,
                sites: vec![site.name.clone()],
                webhook: None,
            }),
        }
    }
    Ok(groups)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn site(name: &str, schedule: Option<&str>) -> String {
        let mut s = format!(
            "[[site]]\nname = {name:?}\nkind = \"pharmacy\"\nstart_urls = [\"http://127.0.0.1:9/\"]\n"
        );
        if let Some(expr) = schedule {
            s.push_str(&format!("schedule = {expr:?}\n"));
        }
        s
    }

    #[test]
    fn sites_sharing_a_schedule_form_one_group_after_the_explicit_ones() {
        let text = [
            site("a", Some("0 3 * * *")),
            site("b", Some("0 3 * * *")),
            site("c", Some("*/10 * * * * *")),
            site("d", None),
            site("e", Some("0 4 * * *")),
            "[[group]]\nname = \"night\"\nsites = [\"e\", \"d\"]\nschedule = \"0 1 * * *\"\nwebhook = \"http://127.0.0.1:9/hook\"\n".into(),
        ]
        .join("\n");
        let config = Config::from_toml(&text, "t.toml").unwrap();
        let groups = groups_of(&config).unwrap();
        let summary: Vec<(&str, &str, Vec<&str>)> = groups
            .iter()
            .map(|g| {
                (
                    g.name.as_str(),
                    g.schedule.expression(),
                    g.sites.iter().map(String::as_str).collect(),
                )
            })
            .collect();
        assert_eq!(
            summary,
            vec![
                ("night", "0 1 * * *", vec!["e", "d"]),
                ("schedule 0 3 * * *", "0 3 * * *", vec!["a", "b"]),
                ("schedule */10 * * * * *", "*/10 * * * * *", vec!["c"]),
            ]
        );
        assert_eq!(
            groups[0].webhook.as_deref(),
            Some("http://127.0.0.1:9/hook")
        );
    }

    #[test]
    fn config_errors_in_groups_name_the_group() {
        let base = site("a", None);
        for (group, expected) in [
            (
                "[[group]]\nname = \"g\"\nsites = [\"zz\"]\nschedule = \"0 1 * * *\"\n",
                "`zz`",
            ),
            (
                "[[group]]\nname = \"g\"\nsites = [\"a\"]\nschedule = \"0 25 * * *\"\n",
                "`0 25 * * *`",
            ),
            (
                "[[group]]\nname = \"g\"\nsites = [\"a\"]\nschedule = \"0 1 * * *\"\nwebhook = \"ftp://x/\"\n",
                "http",
            ),
            (
                "[[group]]\nname = \"g\"\nsites = [\"a\"]\nschedule = \"@daily\"\n[[group]]\nname = \"g\"\nsites = [\"a\"]\nschedule = \"@daily\"\n",
                "unique",
            ),
        ] {
            let err = Config::from_toml(&format!("{base}\n{group}"), "t.toml")
                .unwrap_err()
                .to_string();
            assert!(err.contains(expected), "{err}");
        }
        let err = Config::from_toml(&site("b", Some("never")), "t.toml")
            .unwrap_err()
            .to_string();
        assert!(err.contains("`b`") && err.contains("`never`"), "{err}");
    }
}
