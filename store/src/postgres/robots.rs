//! `robots` table: the robots.txt cache.

use postgres::GenericClient;

use crate::sqlite::values::{parse_ts, ts, u16_from};
use crate::{RobotsEntry, StoreError};
use pharmwatch_model::Timestamp;

pub(super) fn put(c: &mut impl GenericClient, e: &RobotsEntry) -> Result<(), StoreError> {
    c.execute(
        "INSERT INTO robots (host, fetched_at, expires_at, status, body) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (host) DO UPDATE SET fetched_at = excluded.fetched_at,
            expires_at = excluded.expires_at, status = excluded.status, body = excluded.body",
        &[
            &e.host,
            &ts(e.fetched_at),
            &ts(e.expires_at),
            &e.status.map(i64::from),
            &e.body,
        ],
    )?;
    Ok(())
}

pub(super) fn get(
    c: &mut impl GenericClient,
    host: &str,
    now: Timestamp,
) -> Result<Option<RobotsEntry>, StoreError> {
    let Some(row) = c.query_opt(
        "SELECT fetched_at, expires_at, status, body FROM robots
         WHERE host = $1 AND expires_at > $2",
        &[&host, &ts(now)],
    )?
    else {
        return Ok(None);
    };
    Ok(Some(RobotsEntry {
        host: host.to_string(),
        fetched_at: parse_ts(row.try_get(0)?)?,
        expires_at: parse_ts(row.try_get(1)?)?,
        status: u16_from(row.try_get(2)?, "robots status")?,
        body: row.try_get(3)?,
    }))
}
