using Microsoft.AspNetCore.Identity;

namespace Agent.Data;

/// <summary>A person who signs in (ASP.NET Core Identity); <see cref="TenantId"/> is the one tenant whose data they see.</summary>
public sealed class AgentUser : IdentityUser
{
    public string TenantId { get; set; } = "";
}
