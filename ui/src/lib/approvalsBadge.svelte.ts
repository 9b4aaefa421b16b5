/**
 * How many items wait in the approvals inbox, for the badge on the Approvals tab. The badge
 * polls while it is on screen (supervisors only: the tab is theirs); the Approvals screen
 * refreshes it after each decision so it does not lag the list.
 */
import { api } from "../api";

/** Often enough that a count submitted at another workstation shows within a minute. */
export const BADGE_POLL_MS = 20_000;

class ApprovalsBadge {
  waiting = $state<number | null>(null);

  async refresh(): Promise<void> {
    try {
      this.waiting = await api.approvalsWaiting();
    } catch {
      // Signed out, locked or not a supervisor: no badge rather than a wrong number.
      this.waiting = null;
    }
  }
}

export const approvalsBadge = new ApprovalsBadge();
