/**
 * Submit: register an owner (the token is shown once, with a copy button), upload an agent folder
 * or an archive (.zip, .tar, .tar.gz), read validation errors in plain words, then follow the
 * evaluation as it runs.
 * The token lives in this page's memory only: it is a password, so it is never stored.
 */
import { type FormEvent, useState } from 'react';
import { listGames, registerOwner, type UploadResponse, uploadAgent } from '../api.ts';
import { Button, Card, Segmented } from '../components/ui.tsx';
import { usePolled } from '../usePolled.ts';
import { EvaluationProgress } from './EvaluationProgress.tsx';
import { agentFolderFiles, explainError } from './submitHelpers.ts';

function Problem({ error }: { error: unknown }) {
  const { title, detail } = explainError(error);
  return (
    <div className="note note--bad" role="alert">
      <strong>{title}</strong>
      <div>{detail}</div>
    </div>
  );
}

function Register({ onToken }: { onToken: (token: string) => void }) {
  const [name, setName] = useState('');
  const [issued, setIssued] = useState<string | null>(null);
  const [pasted, setPasted] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [copied, setCopied] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const { token } = await registerOwner(name.trim());
      setIssued(token);
      onToken(token);
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  };
  const copy = async () => {
    if (!issued) return;
    try {
      await navigator.clipboard.writeText(issued);
      setCopied(true);
    } catch {
      setCopied(false);
    }
  };

  if (issued) {
    return (
      <div className="form">
        <div className="note note--warn" role="alert">
          <strong>Copy this token now.</strong> It is shown only once; the arena keeps only a hash
          of it. You need it to upload new versions of your agents.
        </div>
        <div className="token">
          <code data-testid="token">{issued}</code>
          <Button onClick={copy} aria-label="Copy the token">
            {copied ? 'Copied ✓' : 'Copy'}
          </Button>
        </div>
      </div>
    );
  }
  return (
    <div className="form">
      <form className="row row--end" onSubmit={submit} aria-label="Register">
        <label className="field" style={{ flex: 1, minWidth: 200 }}>
          Your name on the leaderboards
          <input
            type="text"
            value={name}
            onChange={(e) => setName(e.target.value)}
            placeholder="e.g. ada"
            required
            minLength={2}
            maxLength={40}
            autoComplete="nickname"
          />
        </label>
        <Button type="submit" variant="primary" disabled={busy || name.trim().length < 2}>
          {busy ? 'Registering…' : 'Register'}
        </Button>
      </form>
      {error !== null && <Problem error={error} />}
      <label className="field">
        Already registered? Paste your token
        <span className="row row--end">
          <input
            type="password"
            value={pasted}
            onChange={(e) => setPasted(e.target.value)}
            placeholder="aa_…"
            autoComplete="off"
            style={{ flex: 1 }}
          />
          <Button onClick={() => onToken(pasted.trim())} disabled={pasted.trim().length === 0}>
            Use token
          </Button>
        </span>
      </label>
    </div>
  );
}

/** `webkitdirectory` is not in React's input props; it passes through as an attribute. */
const FOLDER_PICKER = { webkitdirectory: '', directory: '' } as Record<string, string>;

function Upload({ token, onUploaded }: { token: string; onUploaded: (r: UploadResponse) => void }) {
  const games = usePolled(listGames, 0);
  const [name, setName] = useState('');
  const [game, setGame] = useState('');
  const [mode, setMode] = useState<'folder' | 'zip'>('folder');
  const [folder, setFolder] = useState<File[]>([]);
  const [skipped, setSkipped] = useState<string[]>([]);
  const [archive, setArchive] = useState<File | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const ready =
    name.trim().length > 0 && (mode === 'folder' ? folder.length > 0 : archive !== null);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const result = await uploadAgent({
        token,
        name: name.trim(),
        game: game || undefined,
        ...(mode === 'folder' ? { files: folder } : { archive: archive ?? undefined }),
      });
      onUploaded(result);
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="form" onSubmit={submit} aria-label="Upload an agent">
      <div className="row">
        <label className="field" style={{ flex: 2, minWidth: 200 }}>
          Agent name
          <input
            type="text"
            value={name}
            onChange={(e) => setName(e.target.value)}
            placeholder="e.g. my-dqn"
            required
            maxLength={64}
          />
        </label>
        <label className="field" style={{ flex: 1, minWidth: 160 }}>
          Game
          <select value={game} onChange={(e) => setGame(e.target.value)}>
            <option value="">as agent.json says</option>
            {(games.data ?? []).map((g) => (
              <option key={g.id} value={g.id}>
                {g.title}
              </option>
            ))}
          </select>
        </label>
      </div>
      <Segmented
        legend="Upload as"
        options={[
          { value: 'folder', label: 'Folder' },
          { value: 'zip', label: 'Archive (.zip, .tar, .tar.gz)' },
        ]}
        value={mode}
        onChange={(v) => setMode(v === 'zip' ? 'zip' : 'folder')}
      />
      {mode === 'folder' ? (
        <label className="field">
          Agent folder
          <span className="field__hint">
            agent.json, model.json, the weight files; optionally README.md and training-log.jsonl
          </span>
          <input
            type="file"
            multiple
            {...FOLDER_PICKER}
            onChange={(e) => {
              const picked = agentFolderFiles(Array.from(e.target.files ?? []));
              setFolder(picked.files);
              setSkipped(picked.skipped);
            }}
          />
        </label>
      ) : (
        <label className="field">
          Agent archive (.zip, .tar or .tar.gz)
          <span className="field__hint">the folder's files at its root or in one folder</span>
          <input
            type="file"
            accept=".zip,.tar,.tgz,.tar.gz,application/zip,application/x-tar,application/gzip"
            onChange={(e) => setArchive(e.target.files?.[0] ?? null)}
          />
        </label>
      )}
      {mode === 'folder' && folder.length > 0 && (
        <p className="field__hint">
          {folder.length} file(s): {folder.map((f) => f.name).join(', ')}
          {skipped.length > 0 && ` · left out: ${skipped.join(', ')}`}
        </p>
      )}
      {error !== null && <Problem error={error} />}
      <div>
        <Button type="submit" variant="primary" disabled={!ready || busy}>
          {busy ? 'Uploading and checking…' : 'Upload and evaluate'}
        </Button>
      </div>
    </form>
  );
}

export function SubmitPage() {
  const [token, setToken] = useState<string | null>(null);
  const [uploads, setUploads] = useState<UploadResponse[]>([]);
  return (
    <>
      <div className="page-head">
        <div>
          <h1>Submit an agent</h1>
          <p>Register, upload a trained TF.js agent, and watch it play its evaluation live.</p>
        </div>
      </div>
      <div className="steps">
        <Card
          title={
            <span className="step__title">
              <span className="step__num">1</span> Register
            </span>
          }
        >
          <Register onToken={setToken} />
        </Card>
        <Card
          title={
            <span className="step__title">
              <span className="step__num">2</span> Upload
            </span>
          }
        >
          {token ? (
            <Upload token={token} onUploaded={(r) => setUploads((all) => [r, ...all])} />
          ) : (
            <p className="field__hint">Register or paste your token first.</p>
          )}
        </Card>
        <Card
          title={
            <span className="step__title">
              <span className="step__num">3</span> Evaluation
            </span>
          }
        >
          {uploads.length === 0 ? (
            <p className="field__hint">After an upload, its evaluation appears here as it runs.</p>
          ) : (
            uploads.map((u) => <EvaluationProgress key={u.version.id} upload={u} />)
          )}
        </Card>
      </div>
    </>
  );
}
