-- A test deployment about to be load-tested (never production): every k6 VU signs in from the
-- same address, and the reserved phones (+1555010xxxx) are texted many times an hour, so the
-- OTP send limits of app_config are raised. Undo with: delete from app_config where key in (…).
insert into app_config (key, value, description, created_at, updated_at) values
  ('otp_sends_per_ip_hour', '1000000', 'k6 load tests: raised (loadtests/k6/prepare.sql)', now(), now()),
  ('otp_sends_per_phone_hour', '1000', 'k6 load tests: raised (loadtests/k6/prepare.sql)', now(), now()),
  ('otp_resend_seconds', '0', 'k6 load tests: lowered (loadtests/k6/prepare.sql)', now(), now())
on conflict (key) do update set value = excluded.value, description = excluded.description, updated_at = now();
