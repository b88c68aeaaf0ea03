//! The form, purpose and an example of every command, for errors and for help.

/// One command's entry in the help.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Usage {
    /// The command word (`schedule`).
    pub name: &'static str,
    /// The form, without `/ecrscan` (`schedule WHEN [IMAGE...]`).
    pub form: &'static str,
    /// What it does, in one line.
    pub summary: &'static str,
    /// A complete example, without `/ecrscan`.
    pub example: &'static str,
}

impl Usage {
    /// "`/ecrscan FORM` — e.g. `/ecrscan EXAMPLE`", as error answers show it.
    pub fn render(&self) -> String {
        format!(
            "`/ecrscan {}` — e.g. `/ecrscan {}`",
            self.form, self.example
        )
    }

    /// The entry of a command word, in any case.
    pub fn of(name: &str) -> Option<&'static Usage> {
        USAGE
            .iter()
            .find(|usage| usage.name.eq_ignore_ascii_case(name))
    }
}

/// Every command, in the order help lists them.
pub const USAGE: &[Usage] = &[
    Usage {
        name: "now",
        form: "now IMAGE...",
        summary: "Scan images now; the results arrive in the thread of the message that announces the scan.",
        example: "now web-latest example:proxy-latest",
    },
    Usage {
        name: "findings",
        form: "findings IMAGE",
        summary: "Show the latest findings of an image without scanning it.",
        example: "findings example:web-latest",
    },
    Usage {
        name: "running",
        form: "running [CLUSTER...]",
        summary: "List the images that ECS tasks run now (in every cluster when none is named): where they run, and their latest result. `running sync` re-syncs the schedules of `schedule WHEN running` now (a cluster called sync: `running in sync`).",
        example: "running prod staging",
    },
    Usage {
        name: "schedule",
        form: "schedule WHEN [IMAGE...] [at HH:MM] [on DAY] [tz Area/City]",
        summary: "Scan images on a schedule (the watched tags when none are named). WHEN: daily, weekly, monthly, every N days, rate(...) or cron(...). `schedule WHEN running [in CLUSTER...]` keeps one schedule per image that ECS runs.",
        example: "schedule weekly web-latest at 06:10 tz Asia/Tokyo",
    },
    Usage {
        name: "schedules",
        form: "schedules",
        summary: "List the schedules with their next run.",
        example: "schedules",
    },
    Usage {
        name: "unschedule",
        form: "unschedule IMAGE",
        summary: "Delete an image's schedule.",
        example: "unschedule web-latest",
    },
    Usage {
        name: "pause",
        form: "pause IMAGE",
        summary: "Pause an image's schedule.",
        example: "pause web-latest",
    },
    Usage {
        name: "resume",
        form: "resume IMAGE",
        summary: "Resume a paused schedule.",
        example: "resume web-latest",
    },
    Usage {
        name: "subscribe",
        form: "subscribe PATTERN [min=SEVERITY]",
        summary: "Post scan results of matching images (`repo` or `repo:tag`, `*` globs) in this channel; `min=` sets the lowest severity that counts (default: all).",
        example: "subscribe example:web-* min=high",
    },
    Usage {
        name: "unsubscribe",
        form: "unsubscribe PATTERN",
        summary: "Stop posting results of a pattern in this channel.",
        example: "unsubscribe example:web-*",
    },
    Usage {
        name: "subscriptions",
        form: "subscriptions",
        summary: "List this channel's subscriptions.",
        example: "subscriptions",
    },
    Usage {
        name: "ignore",
        form: "ignore CVE-ID [PATTERN] (for N days | until YYYY-MM-DD | until fixed) reason TEXT",
        summary: "Leave a finding out of the announcements for a while, on the record (every image when no pattern is given).",
        example: "ignore CVE-2024-6119 example:web-* for 30 days reason no fix upstream yet",
    },
    Usage {
        name: "ignores",
        form: "ignores",
        summary: "List the active ignores, with who made them, until when, why, and how many findings each hides.",
        example: "ignores",
    },
    Usage {
        name: "unignore",
        form: "unignore CVE-ID [PATTERN]",
        summary: "Remove an ignore (give the pattern it was made with).",
        example: "unignore CVE-2024-6119 example:web-*",
    },
    Usage {
        name: "help",
        form: "help",
        summary: "Show this help.",
        example: "help",
    },
];
