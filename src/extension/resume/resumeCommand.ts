// The Resume Blocked Sessions command: resumes now every session this extension saw blocked whose
// block is over, and says what it did.
import * as vscode from 'vscode';
import type { ResumeController } from './resumeController';

export function resumeBlockedSessions(controller: Pick<ResumeController, 'resumeBlocked'>): ReturnType<ResumeController['resumeBlocked']> {
  const result = controller.resumeBlocked();
  const parts: string[] = [];
  if (result.started > 0) parts.push(`resuming ${result.started} session${result.started === 1 ? '' : 's'}`);
  if (result.stillBlocked > 0) parts.push(`${result.stillBlocked} still blocked on the active account (switch account first)`);
  if (parts.length === 0) parts.push('no stalled session to resume');
  void vscode.window.showInformationMessage(`Claude Quota: ${parts.join('; ')}.`);
  return result;
}
