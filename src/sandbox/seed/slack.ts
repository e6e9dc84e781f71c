/**
 * The ZYX Bank Slack workspace the simulator starts with. The Bridle bot is a member of
 * #devsecops-change-review (the reference's destination) and #general, but not of
 * #security-approvals: posting there fails with `not_in_channel`, as in Slack. Approval requests
 * go to #change-approvals. People have emails (users.info, as with the `users:read.email` scope)
 * except a guest whose profile hides it; one account is deactivated.
 */

export interface SlackTeam {
  id: string;
  name: string;
  domain: string;
}

export interface SlackBot {
  userId: string;
  botId: string;
  appId: string;
  name: string;
}

export interface SlackChannel {
  id: string;
  name: string;
  isPrivate: boolean;
  isArchived: boolean;
  /** Whether the bot user is a member (it may post only where it is). */
  botIsMember: boolean;
}

export interface SlackUser {
  id: string;
  name: string;
  realName: string;
  email: string | null;
  title: string;
  isBot: boolean;
  isAdmin: boolean;
  deleted: boolean;
}

export interface SlackSeed {
  team: SlackTeam;
  bot: SlackBot;
  channels: SlackChannel[];
  users: SlackUser[];
}

const person = (id: string, name: string, realName: string, title: string, isAdmin = false): SlackUser => ({
  id,
  name,
  realName,
  email: `${name}@zyxbank.example`,
  title,
  isBot: false,
  isAdmin,
  deleted: false,
});

export function slackSeed(): SlackSeed {
  const bot: SlackBot = { userId: "U07BRIDLE01", botId: "B07BRIDLE01", appId: "A07BRIDLE01", name: "bridle" };
  return {
    team: { id: "T05ZYXBANK1", name: "ZYX Bank", domain: "zyxbank" },
    bot,
    channels: [
      {
        id: "C07DSOCHG01",
        name: "devsecops-change-review",
        isPrivate: false,
        isArchived: false,
        botIsMember: true,
      },
      { id: "C07GENERAL1", name: "general", isPrivate: false, isArchived: false, botIsMember: true },
      {
        id: "C07SECAPPR1",
        name: "security-approvals",
        isPrivate: false,
        isArchived: false,
        botIsMember: false,
      },
      { id: "C07CHGAPPR1", name: "change-approvals", isPrivate: false, isArchived: false, botIsMember: true },
      {
        id: "C07OLDCHG01",
        name: "change-review-2023",
        isPrivate: false,
        isArchived: true,
        botIsMember: true,
      },
    ],
    users: [
      {
        id: bot.userId,
        name: bot.name,
        realName: "Bridle",
        email: null,
        title: "",
        isBot: true,
        isAdmin: false,
        deleted: false,
      },
      person("U07ENGINR01", "engineer", "Dana Engineer", "Platform Engineer"),
      person("U07CLDSEC01", "cloud.security", "Priya Raman", "Cloud Security Lead"),
      person("U07PRDAPR01", "prod.approver", "Marcus Lee", "Change Manager"),
      person("U07SECADM01", "security.admin", "Aisha Khan", "Security Operations", true),
      person("U07RELAPR01", "release.approver", "Noor Aziz", "Release Manager"),
      person("U07CONTRC01", "contractor", "Sam Vendor", "External Contractor"),
      { ...person("U07GUEST001", "vendor.guest", "Vendor Guest", "Guest"), email: null },
      { ...person("U07FORMER01", "former.approver", "Lee Former", "Change Manager (left)"), deleted: true },
    ],
  };
}
