//! Alert delivery: e-mail through a real SMTP exchange with a listener on 127.0.0.1 written
//! here (enough of RFC 5321 to take messages and record them), and escalation contacts by
//! business-hours window.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, Utc};
use shelfsync_capture::email::{self, Security, SmtpSettings};
use shelfsync_capture::{alerts, poll};
use shelfsync_store::Store;
use shelfsync_store::testing::connection;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

/// One message as the listener took it.
#[derive(Clone, Debug, Default)]
struct Mail {
    from: String,
    to: Vec<String>,
    data: String,
}

/// Longest session the listener serves: a stuck client must not hold the test.
const SESSION_LIMIT: Duration = Duration::from_secs(10);

/// An SMTP listener on 127.0.0.1: greets, answers EHLO/HELO, MAIL, RCPT, DATA (dot-terminated),
/// RSET, NOOP and QUIT, and records each message. Runs until the test ends.
async fn smtp_listener() -> (u16, Arc<Mutex<Vec<Mail>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let mails: Arc<Mutex<Vec<Mail>>> = Arc::default();
    let sink = mails.clone();
    tokio::spawn(async move {
        while let Ok((socket, _)) = listener.accept().await {
            let sink = sink.clone();
            tokio::spawn(async move {
                let _ = tokio::time::timeout(SESSION_LIMIT, session(socket, sink)).await;
            });
        }
    });
    (port, mails)
}

async fn session(socket: tokio::net::TcpStream, sink: Arc<Mutex<Vec<Mail>>>) -> std::io::Result<()> {
    let (read, mut write) = socket.into_split();
    let mut lines = BufReader::new(read);
    write.write_all(b"220 sink.test ESMTP ready\r\n").await?;
    let mut mail = Mail::default();
    let mut line = String::new();
    loop {
        line.clear();
        if lines.read_line(&mut line).await? == 0 {
            return Ok(());
        }
        let command = line.trim_end().to_string();
        let verb = command.split_whitespace().next().unwrap_or_default().to_ascii_uppercase();
        let reply: &[u8] = match verb.as_str() {
            "EHLO" => b"250 sink.test\r\n",
            "HELO" | "NOOP" => b"250 ok\r\n",
            "RSET" => {
                mail = Mail::default();
                b"250 ok\r\n"
            }
            "MAIL" => {
                mail.from = command[5..].trim().to_string();
                b"250 ok\r\n"
            }
            "RCPT" => {
                mail.to.push(command[5..].trim().to_string());
                b"250 ok\r\n"
            }
            "DATA" => {
                write.write_all(b"354 end with <CRLF>.<CRLF>\r\n").await?;
                loop {
                    line.clear();
                    if lines.read_line(&mut line).await? == 0 {
                        return Ok(());
                    }
                    if line == ".\r\n" {
                        break;
                    }
                    mail.data.push_str(&line);
                }
                sink.lock().unwrap().push(std::mem::take(&mut mail));
                b"250 queued\r\n"
            }
            "QUIT" => {
                write.write_all(b"221 bye\r\n").await?;
                return Ok(());
            }
            _ => b"502 not implemented\r\n",
        };
        write.write_all(reply).await?;
    }
}

fn relay(port: u16) -> SmtpSettings {
    SmtpSettings {
        host: "127.0.0.1".into(),
        port,
        security: Security::None,
        from: "ShelfSync <alerts@shelfsync.test>".into(),
        username: None,
    }
}

fn store() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path().join("ledger.db")).unwrap();
    (dir, store)
}

fn at(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text).unwrap().with_timezone(&Utc)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_alert_arrives_by_email_at_the_contact_on_duty_only() {
    let (port, mails) = smtp_listener().await;
    let (_dir, store) = store();
    alerts::raise(
        &store,
        alerts::QUEUE_DEPTH,
        "shop",
        "shop: 150 updates queued (limit 100)",
        Some(150.0),
        Some(100.0),
    )
    .unwrap();
    email::set_smtp(&store, shelfsync_store::By::new("tester", "ws-test"), &relay(port)).unwrap();
    alerts::add_contact(
        &store,
        shelfsync_store::By::new("tester", "ws-test"),
        "email",
        "day@shelfsync.test",
        8,
        18,
        "weekdays",
    )
    .unwrap();
    alerts::add_contact(
        &store,
        shelfsync_store::By::new("tester", "ws-test"),
        "email",
        "night@shelfsync.test",
        18,
        24,
        "weekdays",
    )
    .unwrap();
    let http = poll::http_client().unwrap();

    // Wednesday 20:00 UTC: the evening contact alone is on duty.
    let sent = alerts::deliver(&store, &http, at("2026-11-25T20:00:00Z")).await.unwrap();
    assert_eq!((sent.delivered.len(), sent.failed.len()), (1, 0), "{sent:?}");
    let got = mails.lock().unwrap().clone();
    assert_eq!(got.len(), 1, "{got:?}");
    assert_eq!(got[0].to, ["TO:<night@shelfsync.test>"]);
    assert_eq!(got[0].from, "FROM:<alerts@shelfsync.test>");
    assert!(got[0].data.contains("Subject: ShelfSync alert [queue_depth]: shop"), "{}", got[0].data);
    assert!(got[0].data.contains("shop: 150 updates queued (limit 100)"), "{}", got[0].data);
    assert!(got[0].data.contains("shelfsync alerts ack 1"), "{}", got[0].data);

    // Delivered once: the next pass sends nothing.
    let again = alerts::deliver(&store, &http, at("2026-11-25T20:05:00Z")).await.unwrap();
    assert!(again.delivered.is_empty());
    assert_eq!(mails.lock().unwrap().len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unreachable_or_missing_relay_keeps_the_alert_undelivered() {
    let (_dir, store) = store();
    let conn = connection(&store);
    alerts::raise(
        &store,
        alerts::DEAD_LETTERS,
        "shop",
        "shop: 1 update in the dead-letter queue",
        Some(1.0),
        None,
    )
    .unwrap();
    alerts::add_contact(
        &store,
        shelfsync_store::By::new("tester", "ws-test"),
        "email",
        "oncall@shelfsync.test",
        0,
        24,
        "all",
    )
    .unwrap();
    let http = poll::http_client().unwrap();
    let now = at("2026-11-25T10:00:00Z");
    let no_relay = alerts::deliver(&store, &http, now).await.unwrap();
    assert_eq!(no_relay.failed.len(), 1);
    let error: String =
        conn.query_row("SELECT delivery_error FROM alerts WHERE id = 1", [], |r| r.get(0)).unwrap();
    assert!(error.contains("no SMTP relay"), "{error}");

    // A port nobody listens on: the send fails, the alert stays due for the next pass.
    let closed = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = closed.local_addr().unwrap().port();
    drop(closed);
    email::set_smtp(&store, shelfsync_store::By::new("tester", "ws-test"), &relay(port)).unwrap();
    let refused = alerts::deliver(&store, &http, now).await.unwrap();
    assert_eq!(refused.failed.len(), 1);
    let delivered: Option<String> =
        conn.query_row("SELECT delivered_at FROM alerts WHERE id = 1", [], |r| r.get(0)).unwrap();
    assert_eq!(delivered, None);
}

#[test]
fn bad_relay_settings_and_contacts_are_refused_and_record_nothing() {
    let (_dir, store) = store();
    let good = relay(2525);
    let bad_relays = [
        (SmtpSettings { host: "".into(), ..good.clone() }, "invalid SMTP host"),
        (SmtpSettings { host: "mail example".into(), ..good.clone() }, "invalid SMTP host"),
        (SmtpSettings { port: 0, ..good.clone() }, "port"),
        (SmtpSettings { from: "not an address".into(), ..good.clone() }, "invalid e-mail address"),
        (SmtpSettings { username: Some(" ".into()), ..good.clone() }, "username"),
    ];
    for (settings, want) in bad_relays {
        let error = email::set_smtp(&store, shelfsync_store::By::new("tester", "ws-test"), &settings)
            .unwrap_err()
            .to_string();
        assert!(error.contains(want), "{settings:?}: {error}");
    }
    assert_eq!(email::smtp(&store).unwrap(), None, "refused settings record nothing");
    assert!(Security::parse("ssl").unwrap_err().to_string().contains("none, starttls or tls"));

    let bad_contacts = [
        ("email", "no-at-sign", 0, 24, "all", "invalid e-mail address"),
        ("sms", "+15550100", 0, 24, "all", "invalid contact kind"),
        ("webhook", "ftp://x", 0, 24, "all", "invalid webhook URL"),
        ("email", "a@b.test", 18, 8, "all", "invalid hours"),
        ("email", "a@b.test", 0, 25, "all", "invalid hours"),
        ("email", "a@b.test", 0, 24, "holidays", "invalid days"),
    ];
    for (kind, target, from, to, days, want) in bad_contacts {
        let error = alerts::add_contact(
            &store,
            shelfsync_store::By::new("tester", "ws-test"),
            kind,
            target,
            from,
            to,
            days,
        )
        .unwrap_err()
        .to_string();
        assert!(error.contains(want), "{kind} {target}: {error}");
    }
    assert!(alerts::targets(&store).unwrap().is_empty(), "refused contacts record nothing");
}

/// Who receives an alert at a given time: a day desk on weekdays, a night desk around it, a
/// weekend pager, and a chat webhook that hears everything.
#[test]
fn escalation_contacts_follow_their_business_hours_window() {
    let (_dir, store) = store();
    let contacts = [
        ("email", "day@shelfsync.test", 8, 18, "weekdays"),
        ("email", "night@shelfsync.test", 18, 24, "weekdays"),
        ("email", "night@shelfsync.test", 0, 8, "weekdays"),
        ("email", "weekend@shelfsync.test", 0, 24, "weekend"),
        ("webhook", "http://127.0.0.1:9/chat", 0, 24, "all"),
    ];
    for (kind, target, from, to, days) in contacts {
        alerts::add_contact(
            &store,
            shelfsync_store::By::new("tester", "ws-test"),
            kind,
            target,
            from,
            to,
            days,
        )
        .unwrap();
    }
    let cases = [
        // 2026-11-25 is a Wednesday, 2026-11-28 a Saturday, 2026-11-30 a Monday.
        ("2026-11-25T08:00:00Z", vec!["day@shelfsync.test"]),
        ("2026-11-25T17:59:59Z", vec!["day@shelfsync.test"]),
        ("2026-11-25T18:00:00Z", vec!["night@shelfsync.test"]),
        ("2026-11-26T03:30:00Z", vec!["night@shelfsync.test"]),
        ("2026-11-28T12:00:00Z", vec!["weekend@shelfsync.test"]),
        ("2026-11-29T23:59:00Z", vec!["weekend@shelfsync.test"]),
        ("2026-11-30T00:00:00Z", vec!["night@shelfsync.test"]),
    ];
    for (when, want) in cases {
        let on_duty: Vec<String> = alerts::contacts_at(&store, at(when))
            .unwrap()
            .into_iter()
            .filter(|t| t.kind == "email")
            .map(|t| t.target)
            .collect();
        assert_eq!(on_duty, want, "at {when}");
        let chat = alerts::contacts_at(&store, at(when))
            .unwrap()
            .into_iter()
            .filter(|t| t.kind == "webhook")
            .count();
        assert_eq!(chat, 1, "the chat webhook hears everything ({when})");
    }
}
