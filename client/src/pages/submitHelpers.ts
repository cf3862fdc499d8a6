/** Plain-words help for the Submit page: which picked files to send, and error explanations. */
import { ApiRequestError } from '../api.ts';

export interface PickedFolder {
  /** Files directly inside the picked folder, as the server wants them. */
  files: File[];
  /** Names left out (hidden files, files in subfolders), to tell the user. */
  skipped: string[];
}

/**
 * A picked folder's files: `webkitRelativePath` is `folder/name` for files at the folder's top;
 * deeper files and hidden files (`.DS_Store`) are not part of an agent folder.
 */
export function agentFolderFiles(picked: readonly File[]): PickedFolder {
  const files: File[] = [];
  const skipped: string[] = [];
  for (const file of picked) {
    const path = file.webkitRelativePath || file.name;
    const depth = path.split('/').length;
    if (file.name.startsWith('.') || depth > 2) skipped.push(path);
    else files.push(file);
  }
  return { files, skipped };
}

const HINTS: Record<string, string> = {
  NETWORK: 'Check that the arena server is running and try again.',
  UNAUTHORIZED: 'Your token was not accepted: register again or paste the token you were given.',
  FORBIDDEN: 'Another owner already has an agent of that name on this game: pick another name.',
  AGENT_INVALID: 'The agent folder did not pass the checks (the same as `arena agent check`).',
  BAD_GAME: 'This server does not have that game.',
  PAYLOAD_TOO_LARGE: 'The upload is too large: weights may be 64 MiB at most.',
  RATE_LIMITED: 'Too many attempts in a short time: wait a little and try again.',
  CONFLICT: 'That name is taken by a built-in agent: pick another name.',
  BAD_REQUEST: 'The upload was not in the expected form.',
};

/** The server's message with a sentence on what to do about it. */
export function explainError(error: unknown): { title: string; detail: string } {
  if (error instanceof ApiRequestError) {
    return { title: HINTS[error.code] ?? 'The server refused the request.', detail: error.message };
  }
  return { title: 'Something went wrong.', detail: (error as Error)?.message ?? String(error) };
}
