# The AWS SDK for Ruby (aws-sdk-core) as a child of with-role-creds in scripts/interop: prints what the SDK's
# default credential chain and region lookup resolved, and STS GetCallerIdentity against INTEROP_MOTO_URL
# (moto_server on 127.0.0.1), as JSON on one line.
require 'json'
require 'aws-sdk-core'

out = {}
begin
  provider = Aws::CredentialProviderChain.new.resolve
  if provider
    creds = provider.credentials
    out.update(provider: provider.class.name, access_key: creds.access_key_id,
               secret_key: creds.secret_access_key, token: creds.session_token)
  end
  client = Aws::STS::Client.new(endpoint: ENV.fetch('INTEROP_MOTO_URL'), retry_limit: 0)
  out[:region] = client.config.region
  out[:client_key] = client.config.credentials&.credentials&.access_key_id
  out[:account] = client.get_caller_identity.account
rescue StandardError => e
  out[:error] = "#{e.class}: #{e.message}"
end
puts JSON.generate(out)
