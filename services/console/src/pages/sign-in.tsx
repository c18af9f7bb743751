import { type FormEvent, useState } from 'react';
import { api, errorText, queryClient, session } from '../api.ts';
import { meQuery } from '../queries.ts';

/**
 * The app's OTP sign-in: a code is texted to the phone (in development the local SMS
 * provider writes it to the api's log), the code gives a verification token, the token a session.
 */
export function SignIn({
  failure,
  onSignedIn,
}: {
  failure: string | null;
  onSignedIn: (token: string) => void;
}) {
  const [phone, setPhone] = useState('');
  const [code, setCode] = useState('');
  const [sent, setSent] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const attempt = (step: () => Promise<void>) => (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    step().catch((err: unknown) => setError(errorText(err)));
  };

  const sendCode = attempt(async () => {
    await api.auth.getOtp.mutate({ phone });
    setSent(true);
  });

  const signIn = attempt(async () => {
    const verified = await api.auth.verifyOtp.mutate({ phone, code });
    if (!verified.registered) throw new Error('No account has this phone.');
    const signedIn = await api.auth.login.mutate({ phone, verificationToken: verified.verificationToken });
    session.set(signedIn.token);
    queryClient.setQueryData(meQuery().queryKey, signedIn.user);
    onSignedIn(signedIn.token);
  });

  return (
    <form className="sign-in" onSubmit={sent ? signIn : sendCode}>
      <h2>PowerBank console</h2>
      <label>
        Phone
        <input
          name="phone"
          value={phone}
          onChange={(e) => setPhone(e.target.value)}
          placeholder="+14155550100"
        />
      </label>
      {sent && (
        <label>
          Code
          <input name="code" value={code} onChange={(e) => setCode(e.target.value)} inputMode="numeric" />
        </label>
      )}
      <button type="submit">{sent ? 'Sign in' : 'Text me a code'}</button>
      {(error ?? failure) && <p className="error">{error ?? failure}</p>}
    </form>
  );
}
